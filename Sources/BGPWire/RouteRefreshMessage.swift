// PLACEHOLDER — replaced by the ROUTE-REFRESH work (RFC 2918, RFC 7313).
public struct RouteRefreshMessage: Hashable, Sendable {
    public init() {}
    public static func decode(body r: inout ByteReader) throws(MessageError) -> RouteRefreshMessage {
        throw MessageError(NotificationMessage(code: 7, subcode: 1), reason: "ROUTE-REFRESH decoding not implemented yet")
    }
    public func encode(into w: inout ByteWriter) {}
}
