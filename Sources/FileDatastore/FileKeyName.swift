import Datastore

/// How a key becomes a file name (and a log field), 1:1 and readable:
/// `/tern/ippools/default` is stored as `%2Ftern%2Fippools%2Fdefault`.
///
/// Percent-encoded: `/`, `%`, space, control bytes (0x00–0x1F, 0x7F) and a leading `.` (so no
/// key is `.`/`..` or collides with the store's `.tmp-…` files); every other byte, UTF-8 included,
/// is kept as it is. Encoding is injective and ``decode(_:)`` inverts it, so any key maps to
/// exactly one name. A Linux file name holds at most 255 bytes: longer encoded keys are refused.
enum FileKeyName {
    static let maxLength = 255

    static func encode(_ key: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(key.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for (i, b) in key.utf8.enumerated() {
            if b == UInt8(ascii: "/") || b == UInt8(ascii: "%") || b <= 0x20 || b == 0x7F || (i == 0 && b == UInt8(ascii: ".")) {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The key of a name ``encode(_:)`` made; nil for any other name (temp files, strays).
    static func decode(_ name: String) -> String? {
        var out: [UInt8] = []
        let bytes = Array(name.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else { return nil }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        guard let key = String(validating: out, as: UTF8.self), encode(key) == name else { return nil }
        return key
    }

    /// The encoded name, or ``DatastoreError/invalid(_:)`` for an empty or too long key.
    static func checked(_ key: String) throws(DatastoreError) -> String {
        guard !key.isEmpty else { throw .invalid("empty key") }
        let name = encode(key)
        guard name.utf8.count <= maxLength else {
            throw .invalid("key \(key.prefix(64))… is \(name.utf8.count) bytes as a file name; the file store takes at most \(maxLength)")
        }
        return name
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
