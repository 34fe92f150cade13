import BGPWire

/// Decodes a raw BGP byte stream (one direction of a session, or hand-made bytes) message by
/// message, reporting each message or error as a ``JSONValue`` — the engine of `tern decode`.
///
/// The codec context comes from the caller when given; otherwise it is negotiated from the
/// stream's own OPENs: the first OPEN is the sender's (assumed mirrored by its peer, as in a
/// symmetric configuration), and when a second OPEN follows at once the two are negotiated
/// with each other as RFC 5492 says.
struct StreamDecoder {
    /// Context given on the command line; nil means negotiate from the stream.
    var explicitContext: CodecContext?
    /// Continue after an UPDATE/OPEN body error that would reset the session (framing stays in
    /// sync). A framing error always stops: the stream cannot be resynchronised.
    var keepGoing = false

    /// What happened, for the exit status.
    struct Summary: Equatable {
        var messages = 0
        var errors = 0
        var truncatedBytes = 0
        var wellFormed: Bool { errors == 0 && truncatedBytes == 0 }
    }

    /// A decoded item, in stream order.
    enum Item {
        case message(BGPMessage, length: Int, offset: Int)
        case sessionReset(MessageError, type: MessageType?, offset: Int)
        case issue(UpdateIssue, UpdateMessage, offset: Int)
        case truncated(offset: Int, bytes: Int)
    }

    func decode(_ bytes: [UInt8], emit: (Item) -> Void) -> Summary {
        var summary = Summary()
        var context = explicitContext ?? .initial
        var framer = MessageFramer(maxMessageLength: context.maxMessageLength)
        framer.append(bytes)
        var offset = 0
        var opens: [OpenMessage] = []
        var sawNonOpen = false
        while true {
            let frame: Frame
            do {
                guard let f = try framer.next() else { break }
                frame = f
            } catch {
                summary.errors += 1
                emit(.sessionReset(error, type: nil, offset: offset))
                return summary
            }
            defer { offset += frame.bytes.count }
            summary.messages += 1
            let decoded: DecodedMessage
            do {
                decoded = try BGPMessage.decode(frame, context: context)
            } catch {
                summary.errors += 1
                emit(.sessionReset(error, type: frame.type, offset: offset))
                if keepGoing { continue }
                return summary
            }
            emit(.message(decoded.message, length: frame.bytes.count, offset: offset))
            if case .update(let u) = decoded.message {
                for issue in decoded.issues {
                    summary.errors += 1
                    emit(.issue(issue, u, offset: offset))
                }
            }
            // Negotiate from the stream's leading OPENs (RFC 5492 §3) unless told otherwise.
            if explicitContext == nil {
                if case .open(let o) = decoded.message, !sawNonOpen, opens.count < 2 {
                    opens.append(o)
                    context = StreamDecoder.negotiate(opens)
                    framer.maxMessageLength = context.maxMessageLength
                } else {
                    sawNonOpen = true
                }
            }
        }
        if framer.bufferedByteCount > 0 {
            summary.truncatedBytes = framer.bufferedByteCount
            emit(.truncated(offset: offset, bytes: framer.bufferedByteCount))
        }
        return summary
    }

    /// The context for messages sent by the first OPEN's speaker.
    static func negotiate(_ opens: [OpenMessage]) -> CodecContext {
        guard let sender = opens.first else { return .initial }
        let receiver = opens.count > 1 ? opens[1] : sender
        var ctx = NegotiatedCapabilities(local: receiver, remote: sender).decodeContext
        ctx.peerIsExternal = opens.count > 1 && sender.asNumber != receiver.asNumber
        return ctx
    }
}

extension StreamDecoder.Item {
    /// The JSON line for this item.
    var json: JSONValue {
        switch self {
        case .message(let m, let length, let offset): MessageJSON.message(m, length: length, offset: offset)
        case .sessionReset(let e, let type, let offset): MessageJSON.error(e, type: type, offset: offset)
        case .issue(let i, let u, let offset): MessageJSON.issue(i, update: u, offset: offset)
        case .truncated(let offset, let bytes):
            .object([("truncated", .object([("offset", .uint(offset)), ("bytes", .uint(bytes)),
                                            ("reason", .string("stream ends inside a message"))]))])
        }
    }
}
