import CNI
import Glibc
import IPCore
import Netlink

/// The kernel side of a CNI attachment, Calico's layout (docs/CNI.md, "What ADD builds"):
/// a veth pair whose host end `cali…` has MAC ee:ee:ee:ee:ee:ee and whose container end
/// (`CNI_IFNAME`) has the pod's /32 (and /128), `169.254.1.1 dev eth0 scope link`,
/// `default via 169.254.1.1` and, for IPv6, `default via fe80::ecee:eeff:feee:eeee`
/// (the host end's link-local address, from its MAC). Netlink only, no `ip` commands.
enum VethSetup {
    /// The host end's MAC (Calico's: no kernel-generated MAC to race with).
    static let hostMAC = MACAddress("ee:ee:ee:ee:ee:ee")!
    /// The pod's IPv4 gateway, answered by proxy-ARP on the host end.
    static let gateway4 = IPAddress("169.254.1.1")!
    /// The pod's IPv6 gateway: the host end's EUI-64 link-local address (RFC 4291 §2.5.1).
    static let gateway6 = IPAddress("fe80::ecee:eeff:feee:eeee")!

    /// What ADD made: the container end's MAC.
    struct Made {
        var containerMAC: String
    }

    /// Creates the pair and configures both ends. A host end of that name left by a failed
    /// ADD is deleted first; on any failure what was made is removed again.
    static func create(host: String, container: String, netnsPath: String, addresses: [IPPrefix],
                       mtu: UInt32?, containerMAC: MACAddress?) throws(CNIError) -> Made {
        do {
            let nl = try NetlinkSocket(receiveBufferSize: 1 << 20)
            if let stale = try nl.link(named: host) { try nl.perform(LinkMessage.delete(index: stale.index)) }
            let nsfd = open(netnsPath, O_RDONLY | O_CLOEXEC)
            guard nsfd >= 0 else {
                throw CNIError(CNIError.invalidEnvironment, "CNI_NETNS \(netnsPath) cannot be opened: \(String(cString: strerror(errno)))")
            }
            defer { close(nsfd) }
            do {
                try nl.perform(LinkMessage.createVeth(name: host, peerName: container, peerNamespace: .fd(nsfd)))
            } catch let e as NetlinkError where e.code == EEXIST {
                throw CNIError(CNIError.kernelError, "cannot create \(host) with peer \(container) in \(netnsPath): an interface of that name exists",
                               details: "\(e)")
            }
            do {
                guard let link = try nl.link(named: host) else {
                    throw CNIError(CNIError.kernelError, "veth \(host) vanished right after it was made")
                }
                try nl.perform(LinkMessage.setAddress(index: link.index, HardwareAddress(hostMAC)))
                if let mtu { try nl.perform(LinkMessage.setMTU(index: link.index, mtu)) }
                // The host end answers for the pod's IPv6 gateway at once (no DAD wait).
                writeSysctl("net/ipv6/conf/\(host)/accept_dad", "0")
                try nl.perform(LinkMessage.setUp(index: link.index))
                let mac = try configureContainer(container, netnsPath: netnsPath, addresses: addresses, mtu: mtu, mac: containerMAC)
                return Made(containerMAC: mac)
            } catch {
                remove(host: host)
                throw error
            }
        } catch let e as CNIError {
            throw e
        } catch {
            throw CNIError(CNIError.kernelError, "setting up the pod's interface failed: \(error)", details: "\(error)")
        }
    }

    /// Inside the pod: MAC (if asked), MTU, up, the addresses (IPv6 without DAD), the
    /// gateway routes. Returns the interface's MAC.
    static func configureContainer(_ name: String, netnsPath: String, addresses: [IPPrefix], mtu: UInt32?,
                                   mac: MACAddress?) throws -> String {
        let nl = try NetlinkSocket(namespacePath: netnsPath)
        guard let link = try nl.link(named: name) else {
            throw CNIError(CNIError.kernelError, "\(name) is not in \(netnsPath) after it was created there")
        }
        if let mac { try nl.perform(LinkMessage.setAddress(index: link.index, HardwareAddress(mac))) }
        if let mtu { try nl.perform(LinkMessage.setMTU(index: link.index, mtu)) }
        try nl.perform(LinkMessage.setUp(index: link.index))
        if let lo = try nl.link(named: "lo"), !lo.isUp { try nl.perform(LinkMessage.setUp(index: lo.index)) }
        for p in addresses {
            guard let a = InterfaceAddress(p.address, length: p.length) else { continue }
            // IFA_F_NODAD (0x02): the /128 is usable at once, as Calico's DAD-off sysctl makes it.
            try nl.perform(AddressMessage.add(Address(interfaceIndex: link.index, prefix: a, flags: p.ipFamily == .v6 ? 0x02 : 0)))
        }
        if addresses.contains(where: { $0.ipFamily == .v4 }) {
            try nl.perform(RouteMessage.new(Route(destination: .host(gateway4), scope: .link, outputInterface: link.index)))
            try nl.perform(RouteMessage.new(Route(destination: IPPrefix("0.0.0.0/0")!, outputInterface: link.index, gateway: gateway4)))
        }
        if addresses.contains(where: { $0.ipFamily == .v6 }) {
            try nl.perform(RouteMessage.new(Route(destination: IPPrefix("::/0")!, outputInterface: link.index, gateway: gateway6)))
        }
        return try nl.link(named: name)?.address?.description ?? ""
    }

    /// Deletes the host end (and with it the container end). Nothing there is fine.
    static func remove(host: String) {
        guard let nl = try? NetlinkSocket(receiveBufferSize: 1 << 20), let link = try? nl.link(named: host) else { return }
        try? nl.perform(LinkMessage.delete(index: link.index))
    }

    /// What CHECK verifies: the host end exists and is up with Calico's MAC; the container
    /// end holds `addresses`. Returns the problem, nil when all is as ADD left it.
    static func problem(host: String, container: String, netnsPath: String, addresses: [IPPrefix]) -> String? {
        do {
            let nl = try NetlinkSocket(receiveBufferSize: 1 << 20)
            guard let h = try nl.link(named: host) else { return "the host interface \(host) is missing" }
            guard h.isUp else { return "the host interface \(host) is down" }
            guard h.address?.mac == hostMAC else { return "the host interface \(host) has MAC \(h.address?.description ?? "none"), not \(hostMAC)" }
            let inside = try NetlinkSocket(namespacePath: netnsPath)
            guard let c = try inside.link(named: container) else { return "\(container) is missing in \(netnsPath)" }
            let have = Set(try inside.addresses().filter { $0.interfaceIndex == c.index }.map { "\($0.prefix.address)/\($0.prefix.length)" })
            for p in addresses where !have.contains(p.description) { return "\(container) in \(netnsPath) does not have \(p)" }
            return nil
        } catch {
            return "cannot inspect the attachment: \(error)"
        }
    }

    /// Best effort: a missing file (IPv6 disabled) is not an error here.
    static func writeSysctl(_ key: String, _ value: String) {
        let fd = open("/proc/sys/\(key)", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = value.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }
}
