/// BGP message types (RFC 4271 §4.1, RFC 2918 §3).
public enum MessageType: UInt8, Sendable, CustomStringConvertible {
    case open = 1
    case update = 2
    case notification = 3
    case keepalive = 4
    case routeRefresh = 5

    public var description: String {
        switch self {
        case .open: "OPEN"
        case .update: "UPDATE"
        case .notification: "NOTIFICATION"
        case .keepalive: "KEEPALIVE"
        case .routeRefresh: "ROUTE-REFRESH"
        }
    }

    /// Smallest legal total length for the type (RFC 4271 §6.1; RFC 2918 §3).
    public var minimumLength: Int {
        switch self {
        case .open: 29
        case .update: 23
        case .notification: 21
        case .keepalive: 19
        case .routeRefresh: 23
        }
    }
}

/// One BGP message.
public enum BGPMessage: Hashable, Sendable {
    case open(OpenMessage)
    case update(UpdateMessage)
    case notification(NotificationMessage)
    case keepalive
    case routeRefresh(RouteRefreshMessage)

    /// The message's type code.
    public var type: MessageType {
        switch self {
        case .open: .open
        case .update: .update
        case .notification: .notification
        case .keepalive: .keepalive
        case .routeRefresh: .routeRefresh
        }
    }
}

/// The fixed 19-byte header (RFC 4271 §4.1).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                           Marker (16 x 0xFF)                  +
/// |                                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Length               |      Type     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public enum MessageHeader {
    /// Header size in bytes.
    public static let length = 19

    /// Writes a header for a message of `type`; returns the offset of its length field.
    public static func begin(_ type: MessageType, into w: inout ByteWriter) -> Int {
        w.writeUInt64(.max)  // the 16-octet marker, all ones
        w.writeUInt64(.max)
        let at = w.reserveLength16()
        w.writeUInt8(type.rawValue)
        return at
    }

    /// Fills in the length field written by ``begin(_:into:)`` (it counts the whole message).
    public static func finish(lengthAt at: Int, into w: inout ByteWriter) {
        let total = w.count - (at - 16)
        w.set(uint16: UInt16(total), at: at)
    }
}

/// The result of decoding one message: the message, plus any RFC 7606 problems that
/// the session survives (only UPDATEs have these).
public struct DecodedMessage: Hashable, Sendable {
    public var message: BGPMessage
    /// Treat-as-withdraw and attribute-discard findings, in the order met.
    public var issues: [UpdateIssue]

    public init(_ message: BGPMessage, issues: [UpdateIssue] = []) {
        self.message = message
        self.issues = issues
    }

    /// True when RFC 7606 says to treat every prefix of this UPDATE as withdrawn.
    public var isTreatAsWithdraw: Bool { issues.contains { $0.action == .treatAsWithdraw } }
}

// MARK: - Whole-message encode / decode

extension BGPMessage {
    /// Encodes the whole message, header included, for a peer with `context`.
    public func encoded(context: CodecContext = .initial) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        encode(into: &w, context: context)
        return w.bytes
    }

    /// Appends the whole message, header included.
    public func encode(into w: inout ByteWriter, context: CodecContext = .initial) {
        let at = MessageHeader.begin(type, into: &w)
        switch self {
        case .open(let m): m.encode(into: &w)
        case .update(let m): m.encode(into: &w, context: context)
        case .notification(let m): m.encode(into: &w)
        case .keepalive: break
        case .routeRefresh(let m): m.encode(into: &w)
        }
        MessageHeader.finish(lengthAt: at, into: &w)
    }

    /// Decodes one framed message (see ``MessageFramer``) using `context` for the peer's direction.
    public static func decode(_ frame: Frame, context: CodecContext = .initial) throws(MessageError) -> DecodedMessage {
        var body = frame.body
        switch frame.type {
        case .open:
            return DecodedMessage(.open(try OpenMessage.decode(body: &body)))
        case .update:
            return try UpdateMessage.decode(body: &body, context: context)
        case .notification:
            return DecodedMessage(.notification(try NotificationMessage.decode(body: &body)))
        case .keepalive:
            return DecodedMessage(.keepalive)
        case .routeRefresh:
            return DecodedMessage(.routeRefresh(try RouteRefreshMessage.decode(body: &body)))
        }
    }

    /// Decodes a buffer holding exactly one whole message (header included).
    public static func decode(bytes: [UInt8], context: CodecContext = .initial) throws(MessageError) -> DecodedMessage {
        var framer = MessageFramer(maxMessageLength: context.maxMessageLength)
        framer.append(bytes)
        guard let frame = try framer.next() else {
            throw MessageError.header(.badMessageLength, data: [], reason: "buffer of \(bytes.count) bytes holds no whole message")
        }
        guard framer.bufferedByteCount == 0 else {
            throw MessageError.header(.badMessageLength, data: [], reason: "\(framer.bufferedByteCount) bytes follow the message")
        }
        return try decode(frame, context: context)
    }
}
