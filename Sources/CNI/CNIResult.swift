import Foundation
import IPCore

/// An ADD result (SPEC.md §Result; §Section 5: Result Types), printed on stdout on success and passed to the
/// next plugin of a chain as `prevResult`. An IPAM plugin's result has no `interfaces` and no
/// `ips[].interface` (SPEC.md §Delegated plugins (IPAM)).
///
/// Encoded in the shape of the version asked for (``json(cniVersion:)``); decoded from either shape.
public struct CNIResult: Equatable, Sendable {
    /// An interface the plugin created (SPEC.md §Result `interfaces`).
    public struct Interface: Equatable, Sendable {
        /// The interface's name (in the sandbox, or on the host).
        public var name: String
        /// The hardware address.
        public var mac: String?
        /// The MTU (1.1.0; Go's `types/100` writes it for 1.0.0 too).
        public var mtu: Int?
        /// The network namespace path for an interface inside the container (`CNI_NETNS`); nil for a host
        /// interface.
        public var sandbox: String?

        public init(name: String, mac: String? = nil, mtu: Int? = nil, sandbox: String? = nil) {
            self.name = name
            self.mac = mac
            self.mtu = mtu
            self.sandbox = sandbox
        }
    }

    /// An address assigned (SPEC.md §Result `ips`).
    public struct IPConfig: Equatable, Sendable {
        /// The address with its prefix length, in CIDR notation (`10.244.0.5/32`).
        public var address: String
        /// The default gateway for this subnet, if any.
        public var gateway: String?
        /// Index into ``CNIResult/interfaces`` of the interface the address is on (absent in IPAM results).
        public var interface: Int?

        public init(address: String, gateway: String? = nil, interface: Int? = nil) {
            self.address = address
            self.gateway = gateway
            self.interface = interface
        }

        /// `"4"` or `"6"`: the `version` the 0.3.x/0.4.0 shape puts in each entry, from the address.
        public var ipVersion: String {
            let host = address.split(separator: "/", maxSplits: 1).first.map(String.init) ?? address
            if let a = IPAddress(host) { return a.family == .v6 ? "6" : "4" }
            return host.contains(":") ? "6" : "4"
        }
    }

    /// A route (SPEC.md §Result `routes`).
    public struct Route: Equatable, Sendable {
        /// The destination in CIDR notation.
        public var dst: String
        /// The next hop; nil means the gateway of the `ips` entry (SPEC.md).
        public var gw: String?

        public init(dst: String, gw: String? = nil) {
            self.dst = dst
            self.gw = gw
        }
    }

    /// DNS settings (SPEC.md §Result `dns`; also the network config's well-known `dns`).
    public struct DNS: Equatable, Sendable {
        /// Name servers, in priority order.
        public var nameservers: [String]
        /// The local domain for short hostname lookups.
        public var domain: String?
        /// Search domains, in priority order.
        public var search: [String]
        /// Resolver options.
        public var options: [String]

        public init(nameservers: [String] = [], domain: String? = nil, search: [String] = [], options: [String] = []) {
            self.nameservers = nameservers
            self.domain = domain
            self.search = search
            self.options = options
        }

        var json: JSONValue {
            var o: [String: JSONValue] = [:]
            if !nameservers.isEmpty { o["nameservers"] = .array(nameservers.map { .string($0) }) }
            if let domain, !domain.isEmpty { o["domain"] = .string(domain) }
            if !search.isEmpty { o["search"] = .array(search.map { .string($0) }) }
            if !options.isEmpty { o["options"] = .array(options.map { .string($0) }) }
            return .object(o)
        }

        static func decode(_ v: JSONValue, at path: String) throws(CNIError) -> DNS {
            let o = try Field.object(v, path)
            return DNS(nameservers: try Field.strings(o["nameservers"], "\(path).nameservers"),
                       domain: try Field.string(o["domain"], "\(path).domain"),
                       search: try Field.strings(o["search"], "\(path).search"),
                       options: try Field.strings(o["options"], "\(path).options"))
        }
    }

    /// The version the result was produced for (``json(cniVersion:)`` writes the version it is given instead).
    public var cniVersion: String
    /// Interfaces created.
    public var interfaces: [Interface]
    /// Addresses assigned.
    public var ips: [IPConfig]
    /// Routes.
    public var routes: [Route]
    /// DNS settings, if any.
    public var dns: DNS?

    public init(cniVersion: String, interfaces: [Interface] = [], ips: [IPConfig] = [], routes: [Route] = [],
                dns: DNS? = nil) {
        self.cniVersion = cniVersion
        self.interfaces = interfaces
        self.ips = ips
        self.routes = routes
        self.dns = dns
    }

    /// The result as a JSON value in the shape of `cniVersion`: before 1.0.0 (0.3.0, 0.3.1, 0.4.0) each `ips[]`
    /// entry has `"version":"4"|"6"`; from 1.0.0 it has none. Like Go's types (`omitempty`) nil and empty
    /// optional fields are left out; `interface` is written when set, also when 0 (Go has `*int`); an
    /// interface's `mtu` only from 1.0.0 and only when non-zero. `dns` is written when non-nil.
    public func jsonValue(cniVersion: String) -> JSONValue {
        let old = CNIVersion.resultHasIPVersion(cniVersion)
        var o: [String: JSONValue] = ["cniVersion": .string(cniVersion)]
        if !interfaces.isEmpty {
            o["interfaces"] = .array(interfaces.map { i in
                var j: [String: JSONValue] = ["name": .string(i.name)]
                if let mac = i.mac, !mac.isEmpty { j["mac"] = .string(mac) }
                if !old, let mtu = i.mtu, mtu != 0 { j["mtu"] = .number(Double(mtu)) }
                if let sb = i.sandbox, !sb.isEmpty { j["sandbox"] = .string(sb) }
                return .object(j)
            })
        }
        if !ips.isEmpty {
            o["ips"] = .array(ips.map { ip in
                var j: [String: JSONValue] = ["address": .string(ip.address)]
                if old { j["version"] = .string(ip.ipVersion) }
                if let gw = ip.gateway, !gw.isEmpty { j["gateway"] = .string(gw) }
                if let idx = ip.interface { j["interface"] = .number(Double(idx)) }
                return .object(j)
            })
        }
        if !routes.isEmpty {
            o["routes"] = .array(routes.map { r in
                var j: [String: JSONValue] = ["dst": .string(r.dst)]
                if let gw = r.gw, !gw.isEmpty { j["gw"] = .string(gw) }
                return .object(j)
            })
        }
        if let dns { o["dns"] = dns.json }
        return .object(o)
    }

    /// ``jsonValue(cniVersion:)`` as UTF-8 JSON text, keys sorted.
    public func json(cniVersion: String) -> Data { jsonValue(cniVersion: cniVersion).data }

    /// Decodes a result of either shape (a `prevResult` from a 0.3.1 chain has `version` in `ips[]`, which is
    /// ignored). A missing `cniVersion`, or a wrongly typed field, is code 7 naming the field.
    public static func decode(_ v: JSONValue) throws(CNIError) -> CNIResult {
        try decode(v, defaultVersion: nil, at: "result")
    }

    /// Decodes a result; a missing `cniVersion` is `defaultVersion` when given (e.g. the config's, for a
    /// `prevResult` without one), else code 7. `path` names the value in error messages.
    public static func decode(_ v: JSONValue, defaultVersion: String?, at path: String = "result") throws(CNIError) -> CNIResult {
        let o = try Field.object(v, path)
        guard let version = try Field.string(o["cniVersion"], "\(path).cniVersion") ?? defaultVersion else {
            throw CNIError(CNIError.invalidNetworkConfig, "\(path).cniVersion is missing")
        }
        var r = CNIResult(cniVersion: version)
        for (n, e) in try Field.array(o["interfaces"], "\(path).interfaces").enumerated() {
            let p = "\(path).interfaces[\(n)]"
            let i = try Field.object(e, p)
            guard let name = try Field.string(i["name"], "\(p).name") else {
                throw CNIError(CNIError.invalidNetworkConfig, "\(p).name is missing")
            }
            r.interfaces.append(Interface(name: name, mac: try Field.string(i["mac"], "\(p).mac"),
                                          mtu: try Field.int(i["mtu"], "\(p).mtu"),
                                          sandbox: try Field.string(i["sandbox"], "\(p).sandbox")))
        }
        for (n, e) in try Field.array(o["ips"], "\(path).ips").enumerated() {
            let p = "\(path).ips[\(n)]"
            let i = try Field.object(e, p)
            guard let address = try Field.string(i["address"], "\(p).address") else {
                throw CNIError(CNIError.invalidNetworkConfig, "\(p).address is missing")
            }
            r.ips.append(IPConfig(address: address, gateway: try Field.string(i["gateway"], "\(p).gateway"),
                                  interface: try Field.int(i["interface"], "\(p).interface")))
        }
        for (n, e) in try Field.array(o["routes"], "\(path).routes").enumerated() {
            let p = "\(path).routes[\(n)]"
            let i = try Field.object(e, p)
            guard let dst = try Field.string(i["dst"], "\(p).dst") else {
                throw CNIError(CNIError.invalidNetworkConfig, "\(p).dst is missing")
            }
            r.routes.append(Route(dst: dst, gw: try Field.string(i["gw"], "\(p).gw")))
        }
        if let d = o["dns"], d != .null { r.dns = try DNS.decode(d, at: "\(path).dns") }
        return r
    }
}
