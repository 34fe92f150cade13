import IPCore
/// A received netlink message: the `nlmsghdr` fields and the payload after it.
/// Produced by `NetlinkMessage.split`, which never reads past the buffer.
public struct NetlinkMessage: Hashable, Sendable {
    /// `nlmsg_type`.
    public var type: UInt16
    /// `nlmsg_flags`.
    public var flags: UInt16
    /// `nlmsg_seq`.
    public var sequence: UInt32
    /// `nlmsg_pid`.
    public var portID: UInt32
    /// The bytes after the header (family header + attributes).
    public var payload: [UInt8]

    /// A message from its parts (tests build kernel-like input with it).
    public init(type: UInt16, flags: UInt16 = 0, sequence: UInt32 = 0, portID: UInt32 = 0, payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.sequence = sequence
        self.portID = portID
        self.payload = payload
    }

    /// Splits a receive buffer into messages. Stops at the first header whose length is
    /// below 16 or runs past the buffer (NLMSG_OK in `<linux/netlink.h>`); never traps.
    public static func split(_ buffer: UnsafeRawBufferPointer) -> [NetlinkMessage] {
        var out: [NetlinkMessage] = []
        var offset = 0
        while buffer.count - offset >= NL.headerLength {
            let len = Int(buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            guard len >= NL.headerLength, len <= buffer.count - offset else { break }
            let type = buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self)
            let flags = buffer.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)
            let seq = buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let pid = buffer.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
            let payload = Array(buffer[(offset + NL.headerLength)..<(offset + len)])
            out.append(NetlinkMessage(type: type, flags: flags, sequence: seq, portID: pid, payload: payload))
            offset += NL.align(len)
        }
        return out
    }

    /// Splits a byte array (see `split(_: UnsafeRawBufferPointer)`).
    public static func split(_ bytes: [UInt8]) -> [NetlinkMessage] {
        bytes.withUnsafeBytes { split($0) }
    }

    /// For NLMSG_ERROR: the errno (positive; 0 is an ACK), the sequence, and the
    /// extended ACK message. Layout (`struct nlmsgerr`): s32 error, the offending
    /// `nlmsghdr` (+ its payload unless NLM_F_CAPPED), then TLVs if NLM_F_ACK_TLVS.
    var errorInfo: (code: Int32, message: String?)? {
        guard type == NL.error, let err = payload.readNative(Int32.self, at: 0) else { return nil }
        var message: String?
        if flags & NL.ackTLVs != 0 {
            var tlvStart = 4 + NL.headerLength
            if flags & NL.capped == 0, let origLen = payload.readNative(UInt32.self, at: 4) {
                tlvStart = 4 + NL.align(Int(origLen))
            }
            if tlvStart <= payload.count {
                let attrs = NetlinkAttributes(payload[tlvStart...])
                if let m = attrs[NL.errAttrMsg] { message = String.fromNetlink(m) }
            }
        }
        return (-err, message)
    }
}

// MARK: - Reading

extension Collection where Element == UInt8, Index == Int {
    /// Reads a host-order integer at `offset` from the collection's start; `nil` if out of bounds.
    func readNative<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T? {
        let size = MemoryLayout<T>.size
        guard offset >= 0, count - offset >= size else { return nil }
        var v: T = 0
        let base = startIndex + offset
        Swift.withUnsafeMutableBytes(of: &v) { dst in
            for i in 0..<size { dst[i] = self[base + i] }
        }
        return v
    }
}

extension String {
    /// A NUL-terminated (or not) string attribute; invalid UTF-8 is repaired, never trapped on.
    static func fromNetlink(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// Bounds-checked attribute walk (RTA_OK / nla_ok in the kernel headers): a list of
/// (type, value) pairs; a truncated or oversized attribute ends the walk instead of trapping.
public struct NetlinkAttributes: Sendable {
    /// Attributes in wire order; the type has NLA_F_NESTED/NLA_F_NET_BYTEORDER masked off.
    public private(set) var all: [(type: UInt16, value: ArraySlice<UInt8>)] = []

    /// Walks `bytes` (the region after a family header).
    public init(_ bytes: ArraySlice<UInt8>) {
        var offset = bytes.startIndex
        while bytes.endIndex - offset >= 4 {
            guard let len16 = bytes[offset...].readNative(UInt16.self, at: 0),
                  let type = bytes[offset...].readNative(UInt16.self, at: 2) else { break }
            let len = Int(len16)
            guard len >= 4, len <= bytes.endIndex - offset else { break }
            all.append((type & NL.attributeTypeMask, bytes[(offset + 4)..<(offset + len)]))
            offset += NL.align(len)
        }
    }

    /// The first attribute of a type.
    public subscript(_ type: UInt16) -> ArraySlice<UInt8>? {
        all.first { $0.type == type }?.value
    }

    func u8(_ type: UInt16) -> UInt8? { self[type]?.first }
    func be16(_ type: UInt16) -> UInt16? { self[type]?.readNative(UInt16.self, at: 0).map { UInt16(bigEndian: $0) } }
    func u32(_ type: UInt16) -> UInt32? { self[type]?.readNative(UInt32.self, at: 0) }
    func i32(_ type: UInt16) -> Int32? { self[type]?.readNative(Int32.self, at: 0) }
    func string(_ type: UInt16) -> String? { self[type].map(String.fromNetlink) }
    func address(_ type: UInt16) -> IPAddress? { self[type].flatMap { IPAddress(octets: $0) } }
}
