import IPCore
import Model
import Yams

// MARK: - dataplane

extension ConfigLoader {
    /// The `dataplane` mapping, read into ``DataplaneSettings`` (whose defaults stay for
    /// keys not written); the overlay keys fill its `overlay`.
    static let dataplaneFields = FieldTable<DataplaneSettings>("the dataplane settings", [
        Field("enabled", into: \.enabled) { r, v, path in r.bool(v, path) },
        Field("routeProtocol", into: \.routeProtocol) { r, v, path in r.routeProtocol(v, path) },
        Field("routeTable", into: \.routeTable) { r, v, path in r.routeTable(v, path) },
        Field("resyncInterval", into: \.resyncInterval) { r, v, path in r.seconds(v, path, range: 1...86_400, usual: 90) },
        Field("staleRouteTimeout", into: \.staleRouteTimeout) { r, v, path in r.seconds(v, path, range: 0...86_400, usual: 120) },
        Field("rpFilter", into: \.rpFilter) { r, v, path in r.rpFilter(v, path) },
        Field("ipipMTU", into: \.overlay.ipipMTU) { r, v, path in r.tunnelMTU(v, path, overhead: 20) },
        Field("vxlanMTU", into: \.overlay.vxlanMTU) { r, v, path in r.tunnelMTU(v, path, overhead: 50) },
        Field("vxlanVNI", into: \.overlay.vxlanVNI) { r, v, path in r.vxlanVNI(v, path) },
        Field("vxlanPort", into: \.overlay.vxlanPort) { r, v, path in r.port(v, path) },
        Field("underlayInterface", into: \.overlay.underlayInterface) { r, v, path in r.interfaceName(v, path) },
    ])
}

extension Reader {
    /// An `rtm_protocol`: 1-255, not one that belongs to someone else (``DataplaneSettings/reservedProtocols``).
    func routeProtocol(_ v: Node, _ path: String) -> UInt8? {
        guard let n = integer(v, path) else { return nil }
        guard (1...255).contains(n) else {
            fail(v, path, "route protocol \(n) is out of range 1-255", hint: "the default, 199, is free")
            return nil
        }
        if let owner = DataplaneSettings.reservedProtocols[UInt8(n)] {
            let why = n <= 4 ? "the kernel's" : n == 80 ? "used by" : "named in iproute2's rt_protos as"
            fail(v, path, "route protocol \(n) is reserved (\(why) \(owner)); Tern would touch routes it does not own",
                 hint: "use a number of Tern's own, e.g. the default 199")
            return nil
        }
        return UInt8(n)
    }

    /// A kernel routing table: 1-4294967295, not 253 (default) or 255 (local).
    func routeTable(_ v: Node, _ path: String) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard n >= 1, n <= Int(UInt32.max) else {
            fail(v, path, "routing table \(n) is out of range 1-4294967295", hint: "254 is the main table")
            return nil
        }
        if n == 253 || n == 255 {
            fail(v, path, "routing table \(n) is the kernel's \(n == 255 ? "local" : "default") table",
                 hint: "use 254 (main) or a table of your own")
            return nil
        }
        return UInt32(n)
    }

    /// A number of seconds in `range`; `usual` is named in the hint.
    func seconds(_ v: Node, _ path: String, range: ClosedRange<Int>, usual: Int) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard range.contains(n) else {
            fail(v, path, "\(n) seconds is out of range \(range.lowerBound)-\(range.upperBound)", hint: "\(usual) is usual")
            return nil
        }
        return UInt32(n)
    }

    /// An rp_filter setting: copy, 0, 1 or 2.
    func rpFilter(_ v: Node, _ path: String) -> RPFilter? {
        guard let t = nonEmptyText(v, path, what: "copy, 0, 1 or 2") else { return nil }
        do {
            return try RPFilter(t)
        } catch {
            let hint = suggestion(for: t, among: ["copy"]).map { "did you mean \"\($0)\"?" } ?? error.hint
            fail(v, path, error.message, hint: hint)
            return nil
        }
    }

    /// A tunnel MTU: 576 (the IPv4 minimum datagram every host accepts, RFC 791) to 65535.
    func tunnelMTU(_ v: Node, _ path: String, overhead: Int) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard (576...65_535).contains(n) else {
            fail(v, path, "MTU \(n) is out of range 576-65535",
                 hint: "leave it out for the underlay MTU − \(overhead)")
            return nil
        }
        return UInt32(n)
    }

    /// A VXLAN network identifier: 24 bits, not 0.
    func vxlanVNI(_ v: Node, _ path: String) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard (1...0xFF_FFFF).contains(n) else {
            fail(v, path, "VNI \(n) is out of range 1-16777215 (24 bits, RFC 7348)", hint: "the default is 4096")
            return nil
        }
        return UInt32(n)
    }

    /// A Linux interface name as `dev_valid_name` (net/core/dev.c) accepts it.
    func interfaceName(_ v: Node, _ path: String) -> String? {
        guard let t = nonEmptyText(v, path, what: "an interface name") else { return nil }
        return rule(v, path) { () throws(ModelError) in try Workload.interfaceName(t).rawValue }
    }
}
