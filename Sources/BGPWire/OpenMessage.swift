// PLACEHOLDER — replaced by the OPEN/capabilities work (RFC 4271 §4.2, RFC 5492, RFC 9072).
public struct OpenMessage: Hashable, Sendable {
    public init() {}
    public static func decode(body r: inout ByteReader) throws(MessageError) -> OpenMessage {
        throw MessageError.open(0, reason: "OPEN decoding not implemented yet")
    }
    public func encode(into w: inout ByteWriter) {}
}
