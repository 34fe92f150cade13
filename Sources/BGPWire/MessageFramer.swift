/// One whole message cut from the byte stream, with its header already checked.
public struct Frame: Sendable, Hashable {
    /// The message type (known: unknown types are a framing error).
    public var type: MessageType
    /// The whole message, header included.
    public var bytes: [UInt8]

    public init(type: MessageType, bytes: [UInt8]) {
        self.type = type
        self.bytes = bytes
    }

    /// A reader over the body (everything after the 19-byte header).
    public var body: ByteReader { ByteReader(bytes, range: MessageHeader.length..<bytes.count) }

    public static func == (a: Frame, b: Frame) -> Bool { a.type == b.type && a.bytes == b.bytes }
    public func hash(into h: inout Hasher) { h.combine(bytes) }
}

/// Cuts a TCP byte stream into BGP messages (RFC 4271 §4.1, §6.1).
///
/// Feed it any split of the stream with ``append(_:)``; ``next()`` returns a whole
/// message, `nil` when more bytes are needed, or throws a ``MessageError`` (Message
/// Header Error) when the header is malformed. After a throw the stream cannot be
/// resynchronised: the session must be reset.
public struct MessageFramer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    /// 4096, or 65535 once extended messages (RFC 8654) are negotiated.
    public var maxMessageLength: Int

    public init(maxMessageLength: Int = 4096) {
        self.maxMessageLength = maxMessageLength
    }

    /// Bytes received but not yet returned as messages.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Adds received bytes.
    public mutating func append<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        if start > 0 && (start >= 65536 || start * 2 >= buffer.count) {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole message, or nil when the buffer holds only part of one.
    public mutating func next() throws(MessageError) -> Frame? {
        let avail = buffer.count - start
        guard avail >= MessageHeader.length else { return nil }
        // §6.1: the marker must be all ones -> 1/1 Connection Not Synchronized.
        for i in start..<start + 16 where buffer[i] != 0xFF {
            throw MessageError.header(.connectionNotSynchronized, data: [],
                                      reason: "marker byte \(i - start) is 0x\([buffer[i]].hexString), not 0xff")
        }
        let length = Int(buffer[start + 16]) << 8 | Int(buffer[start + 17])
        let typeCode = buffer[start + 18]
        // Built only on the error paths (an array per message costs an allocation).
        var lengthData: [UInt8] { [buffer[start + 16], buffer[start + 17]] }
        // §6.1: length out of range -> 1/2 with the erroneous length field as data.
        guard length >= MessageHeader.length, length <= maxMessageLength else {
            throw MessageError.header(.badMessageLength, data: lengthData,
                                      reason: "message length \(length) outside 19...\(maxMessageLength)")
        }
        // §6.1: unknown type -> 1/3 with the type as data.
        guard let type = MessageType(rawValue: typeCode) else {
            throw MessageError.header(.badMessageType, data: [typeCode], reason: "unknown message type \(typeCode)")
        }
        // §6.1: length wrong for the type -> 1/2.
        guard length >= type.minimumLength, type != .keepalive || length == 19 else {
            throw MessageError.header(.badMessageLength, data: lengthData,
                                      reason: "\(type) length \(length) is \(type == .keepalive ? "not 19" : "below \(type.minimumLength)")")
        }
        guard avail >= length else { return nil }
        let frame = Frame(type: type, bytes: Array(buffer[start..<start + length]))
        start += length
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        return frame
    }
}
