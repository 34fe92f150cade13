/// One netlink request: message type, flags and the body after the `nlmsghdr`
/// (family header + attributes), plus the operation in words for errors.
/// The sequence number and port id are filled in when the request is encoded,
/// so the same value can be sent by a socket or compared against a capture.
public struct NetlinkRequest: Hashable, Sendable {
    /// `nlmsg_type`, e.g. RTM_NEWROUTE.
    public var type: UInt16
    /// `nlmsg_flags`, e.g. NLM_F_REQUEST|NLM_F_ACK|NLM_F_CREATE|NLM_F_EXCL.
    public var flags: UInt16
    /// Everything after the 16-byte header, already 4-byte aligned.
    public var body: [UInt8]
    /// Human-readable operation ("add route 10.244.1.5/32 dev 3"), used in `NetlinkError`.
    public var operation: String

    /// A request from its parts.
    public init(type: UInt16, flags: UInt16, body: [UInt8], operation: String) {
        self.type = type
        self.flags = flags
        self.body = body
        self.operation = operation
    }

    /// Total encoded length.
    public var length: Int { NL.headerLength + body.count }

    /// The exact bytes: `nlmsghdr` (length, type, flags, seq, pid) + body.
    public func encode(sequence: UInt32, portID: UInt32 = 0) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(length)
        append(to: &out, sequence: sequence, portID: portID)
        return out
    }

    /// Appends the encoded message to a send buffer (used by batching).
    public func append(to out: inout [UInt8], sequence: UInt32, portID: UInt32 = 0, flags override: UInt16? = nil) {
        out.appendNative(UInt32(length))
        out.appendNative(type)
        out.appendNative(override ?? flags)
        out.appendNative(sequence)
        out.appendNative(portID)
        out.append(contentsOf: body)
    }
}

// MARK: - Writing attributes

extension Array where Element == UInt8 {
    /// Appends an integer in host byte order (netlink's order).
    @inline(__always) mutating func appendNative<T: FixedWidthInteger>(_ v: T) {
        Swift.withUnsafeBytes(of: v) { append(contentsOf: $0) }
    }

    /// Pads to a 4-byte boundary with zeros (NLA_ALIGN).
    mutating func padToAlignment() {
        while count % 4 != 0 { append(0) }
    }

    /// Appends one attribute (`struct rtattr`): length (header + value, unpadded), type, value, padding.
    mutating func appendAttribute(_ type: UInt16, _ value: some Collection<UInt8>) {
        appendNative(UInt16(4 + value.count))
        appendNative(type)
        append(contentsOf: value)
        padToAlignment()
    }

    /// A u32 attribute in host order.
    mutating func appendAttribute(_ type: UInt16, u32 value: UInt32) {
        appendNative(UInt16(8))
        appendNative(type)
        appendNative(value)
    }

    /// A u8 attribute (length 5, padded to 8).
    mutating func appendAttribute(_ type: UInt16, u8 value: UInt8) {
        appendAttribute(type, [value])
    }

    /// A u16 attribute in host order (length 6, padded to 8).
    mutating func appendAttribute(_ type: UInt16, u16 value: UInt16) {
        appendAttribute(type, Swift.withUnsafeBytes(of: value) { Array($0) })
    }

    /// A `__be16` attribute (ports: IFLA_VXLAN_PORT, IFLA_IPTUN_ENCAP_*PORT).
    mutating func appendAttribute(_ type: UInt16, be16 value: UInt16) {
        appendAttribute(type, [UInt8(value >> 8), UInt8(value & 0xFF)])
    }

    /// A string attribute; `nul` adds the terminating zero (IFLA_IFNAME has it, IFLA_INFO_KIND as iproute2 sends it does not).
    mutating func appendAttribute(_ type: UInt16, string: String, nul: Bool = true) {
        var v = Array(string.utf8)
        if nul { v.append(0) }
        appendAttribute(type, v)
    }

    /// Starts a nested attribute; returns the offset to pass to `endNested`.
    mutating func beginNested(_ type: UInt16) -> Int {
        let start = count
        appendNative(UInt16(0))
        appendNative(type)
        return start
    }

    /// Patches the nested attribute's length to cover everything appended since `beginNested`.
    mutating func endNested(_ start: Int) {
        padToAlignment()
        let len = UInt16(count - start)
        self[start] = UInt8(len & 0xFF)
        self[start + 1] = UInt8(len >> 8)
    }
}
