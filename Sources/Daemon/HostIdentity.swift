import Config
import Foundation
import IPCore

/// What a configuration that names a datastore may leave out, found on the host: the node's
/// name (the host name, as calico-node uses), its router ID (the first global IPv4 address
/// of an interface that is up — Calico's "first-found" autodetection, skipping loopback and
/// the interfaces Tern and container runtimes make), and its BGP addresses with their
/// subnets for the `Node` resource.
public enum HostIdentity {
    /// Interfaces never used for the node's address (Calico's first-found skip list, plus Tern's own).
    static let skipped = ["lo", "cali", "tunl", "vxlan", "docker", "cni", "veth", "virbr", "kube-ipvs", "podman"]

    /// `config` with `nodeName` and `routerID` filled in when left out (datastore configs only).
    public static func complete(_ config: TernConfig) throws -> TernConfig {
        var c = config
        guard c.datastore != nil else { return c }
        if c.nodeName.isEmpty {
            c.nodeName = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? ""
            if c.nodeName.isEmpty { throw HostIdentityError("cannot find the host name; set nodeName") }
        }
        if c.routerID.value == 0 {
            if case .v4(let a) = c.listenAddress, a.value != 0 {
                c.routerID = a
            } else if let a = interfaceAddresses().first(where: { $0.address.family == .v4 }), case .v4(let v4) = a.address {
                c.routerID = v4
            } else {
                throw HostIdentityError("no IPv4 address found to use as the router ID; set routerID")
            }
        }
        return c
    }

    /// The node's addresses for its `Node` resource: the listen address or the router ID,
    /// with the prefix length of the interface that holds it (/32 when none does), and the
    /// first global IPv6 address of that interface.
    public static func bgpAddresses(_ c: TernConfig) -> (ipv4: InterfaceAddress?, ipv6: InterfaceAddress?) {
        let all = interfaceAddressesByInterface()
        let address: IPAddress = {
            if case .v4(let a) = c.listenAddress, a.value != 0 { return c.listenAddress }
            return .v4(c.routerID)
        }()
        for (_, addrs) in all {
            if let hit = addrs.first(where: { $0.address == address }) {
                let v6 = addrs.first { if case .v6(let a) = $0.address { return (a.high >> 54) != 0x3fa /* fe80::/10 */ } else { return false } }
                return (hit, v6)
            }
        }
        return (InterfaceAddress(address, length: 32), nil)
    }

    /// Global addresses of up, non-skipped interfaces, in interface order.
    static func interfaceAddresses() -> [InterfaceAddress] {
        interfaceAddressesByInterface().flatMap(\.1)
    }

    static func interfaceAddressesByInterface() -> [(String, [InterfaceAddress])] {
        var head: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&head) == 0, let first = head else { return [] }
        defer { freeifaddrs(head) }
        var order: [String] = []
        var byName: [String: [InterfaceAddress]] = [:]
        var p: UnsafeMutablePointer<ifaddrs>? = first
        while let ifa = p {
            defer { p = ifa.pointee.ifa_next }
            let name = String(cString: ifa.pointee.ifa_name)
            guard ifa.pointee.ifa_flags & UInt32(IFF_UP) != 0, !skipped.contains(where: { name.hasPrefix($0) }),
                  let sa = ifa.pointee.ifa_addr, let mask = ifa.pointee.ifa_netmask else { continue }
            let family = Int32(sa.pointee.sa_family)
            var address: IPAddress?
            var length: UInt8 = 0
            if family == AF_INET {
                let a = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                let m = mask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
                address = .v4(IPv4Address(a))
                length = UInt8(m.nonzeroBitCount)
            } else if family == AF_INET6 {
                let bytes = sa.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                    withUnsafeBytes(of: s.pointee.sin6_addr) { Array($0) }
                }
                let m = mask.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { s in
                    withUnsafeBytes(of: s.pointee.sin6_addr) { Array($0) }
                }
                address = IPv6Address(octets: bytes).map { .v6($0) }
                length = UInt8(m.reduce(0) { $0 + $1.nonzeroBitCount })
            }
            guard let address, let ia = InterfaceAddress(address, length: length) else { continue }
            if byName[name] == nil { order.append(name) }
            byName[name, default: []].append(ia)
        }
        return order.map { ($0, byName[$0]!) }
    }
}

/// The host could not supply a value the configuration left out.
public struct HostIdentityError: Error, CustomStringConvertible {
    public let description: String
    init(_ message: String) { description = message }
}
