// PLACEHOLDER — replaced by the UPDATE/attributes work (RFC 4271 §4.3, RFC 7606).
public struct UpdateMessage: Hashable, Sendable {
    public init() {}
    public static func decode(body r: inout ByteReader, context: CodecContext) throws(MessageError) -> DecodedMessage {
        throw MessageError.update(1, reason: "UPDATE decoding not implemented yet")
    }
    public func encode(into w: inout ByteWriter, context: CodecContext) {}
}
