import IPCore
/// An interface address (`struct ifaddrmsg` + IFA_* attributes, `<linux/if_addr.h>`).
///
/// ```
/// struct ifaddrmsg { __u8 ifa_family; __u8 ifa_prefixlen; __u8 ifa_flags;
///                    __u8 ifa_scope; __u32 ifa_index; };
/// ```
public struct Address: Hashable, Sendable {
    /// `ifa_index`.
    public var interfaceIndex: Int32
    /// IFA_LOCAL (or IFA_ADDRESS) with `ifa_prefixlen`.
    public var prefix: InterfaceAddress
    /// `ifa_scope` (0 universe, 253 link, 254 host).
    public var scope: UInt8
    /// `ifa_flags` (IFA_F_*).
    public var flags: UInt8

    /// An address on an interface.
    public init(interfaceIndex: Int32, prefix: InterfaceAddress, scope: UInt8 = 0, flags: UInt8 = 0) {
        self.interfaceIndex = interfaceIndex
        self.prefix = prefix
        self.scope = scope
        self.flags = flags
    }
}

/// Builders and parser for RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR (RFC 3549 §3.1.2).
public enum AddressMessage {
    /// `ip addr add PREFIX dev N`: NLM_F_CREATE|NLM_F_EXCL; IFA_LOCAL then IFA_ADDRESS, both
    /// the address itself (no point-to-point peer), as iproute2 sends them.
    public static func add(_ a: Address) -> NetlinkRequest {
        NetlinkRequest(type: NL.newAddr, flags: NL.request | NL.ack | NL.create | NL.excl, body: body(a),
                       operation: "add address \(a.prefix) dev \(a.interfaceIndex)")
    }

    /// `ip addr del PREFIX dev N`.
    public static func delete(_ a: Address) -> NetlinkRequest {
        NetlinkRequest(type: NL.delAddr, flags: NL.request | NL.ack, body: body(a),
                       operation: "delete address \(a.prefix) dev \(a.interfaceIndex)")
    }

    /// RTM_GETADDR with NLM_F_DUMP.
    public static func dump(family: AddressFamily = .unspec) -> NetlinkRequest {
        NetlinkRequest(type: NL.getAddr, flags: NL.request | NL.dump,
                       body: [family.rawValue, 0, 0, 0, 0, 0, 0, 0], operation: "dump addresses (\(family))")
    }

    static func body(_ a: Address) -> [UInt8] {
        var b: [UInt8] = [a.prefix.kernelFamily.rawValue, a.prefix.length, a.flags, a.scope]
        b.appendNative(a.interfaceIndex)
        b.appendAttribute(NL.ifaLocal, a.prefix.address.octets)
        b.appendAttribute(NL.ifaAddress, a.prefix.address.octets)
        return b
    }

    /// Parses RTM_NEWADDR/RTM_DELADDR; `nil` if malformed or not IPv4/IPv6.
    public static func parse(_ m: NetlinkMessage) -> Address? {
        guard m.type == NL.newAddr || m.type == NL.delAddr, m.payload.count >= NL.ifaddrmsgLength,
              let index = m.payload.readNative(Int32.self, at: 4) else { return nil }
        let p = m.payload
        let attrs = NetlinkAttributes(p[NL.ifaddrmsgLength...])
        guard let addr = attrs.address(NL.ifaLocal) ?? attrs.address(NL.ifaAddress),
              addr.kernelFamily.rawValue == p[0], let prefix = InterfaceAddress(addr, length: p[1]) else { return nil }
        return Address(interfaceIndex: index, prefix: prefix, scope: p[3], flags: p[2])
    }
}
