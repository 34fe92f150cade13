import Datastore
import Glibc

/// The formats of the file store's small files.
///
/// A key file (`keys/<encoded key>`) is one header line and then the value's raw bytes:
///
///     tern-kv rev=42 lease=0
///     {"apiVersion":"projectcalico.org/v3",...}
///
/// A lease file (`leases/<id>`) is `ttl=<seconds> expires=<unix milliseconds>`; the counter file
/// (`revision`) is the store's current revision in decimal.
enum FileRecord {
    static func keyFile(_ v: StoredValue) -> [UInt8] {
        Array("tern-kv rev=\(v.revision) lease=\(v.lease ?? 0)\n".utf8) + v.value
    }

    /// Parses a key file; nil when it is not one.
    static func parseKeyFile(_ bytes: [UInt8], key: String) -> StoredValue? {
        guard let nl = bytes.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        let fields = String(decoding: bytes[0..<nl], as: UTF8.self).split(separator: " ")
        guard fields.count == 3, fields[0] == "tern-kv",
              let rev = int(fields[1], "rev="), let lease = int(fields[2], "lease=") else { return nil }
        return StoredValue(key: key, value: Array(bytes[(nl + 1)...]), revision: rev, lease: lease == 0 ? nil : lease)
    }

    /// A lease's TTL and wall-clock expiry.
    struct Lease {
        var ttl: Int64
        var expiresMillis: Int64
    }

    static func leaseFile(_ l: Lease) -> [UInt8] { Array("ttl=\(l.ttl) expires=\(l.expiresMillis)\n".utf8) }

    static func parseLease(_ bytes: [UInt8]) -> Lease? {
        let fields = String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 2, let ttl = int(fields[0], "ttl="), let exp = int(fields[1], "expires=") else { return nil }
        return Lease(ttl: ttl, expiresMillis: exp)
    }

    static func int(_ field: Substring, _ prefix: String) -> Int64? {
        guard field.hasPrefix(prefix) else { return nil }
        return Int64(field.dropFirst(prefix.count))
    }

    /// Wall-clock now in Unix milliseconds (leases expire by the clock every process shares).
    static func nowMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
