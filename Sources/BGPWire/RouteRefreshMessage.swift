/// A ROUTE-REFRESH message, type 5 (RFC 2918 §3, RFC 7313 §3.2).
///
/// ```
///  0       7      15      23      31
/// +-------+-------+-------+-------+
/// |      AFI      | Subtype | SAFI  |
/// +-------+-------+-------+-------+
/// ```
/// RFC 2918 named the third octet "Reserved"; RFC 7313 §3.2 made it the Message Subtype:
/// 0 normal route refresh request, 1 Beginning of Route Refresh (BoRR), 2 End of Route
/// Refresh (EoRR), 255 reserved, others unassigned. Other subtypes decode and are kept:
/// RFC 7313 §3.2 says the receiver must ignore such a message, which is the session
/// layer's job (see ``Subtype/isReserved``).
public struct RouteRefreshMessage: Hashable, Sendable, CustomStringConvertible {
    /// The family whose routes are to be re-advertised (or whose refresh begins/ends).
    public var family: AddressFamily
    /// The Message Subtype (RFC 7313 §3.2).
    public var subtype: Subtype

    /// A ROUTE-REFRESH for `family`, a normal request unless `subtype` says otherwise.
    public init(family: AddressFamily, subtype: Subtype = .normalRequest) {
        self.family = family
        self.subtype = subtype
    }

    /// The Message Subtype octet (RFC 7313 §3.2).
    public struct Subtype: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The octet on the wire.
        public var rawValue: UInt8
        /// A subtype from its octet.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// 0: normal route refresh request (RFC 2918, RFC 7313 §3.2).
        public static let normalRequest = Subtype(rawValue: 0)
        /// 1: Beginning of Route Refresh, BoRR (RFC 7313 §3.2).
        public static let beginningOfRouteRefresh = Subtype(rawValue: 1)
        /// 2: End of Route Refresh, EoRR (RFC 7313 §3.2).
        public static let endOfRouteRefresh = Subtype(rawValue: 2)

        /// True for subtypes other than 0, 1 and 2: the message must be ignored.
        public var isReserved: Bool { rawValue > 2 }

        /// "request", "BoRR", "EoRR" or "reserved-N".
        public var description: String {
            switch rawValue {
            case 0: "request"
            case 1: "BoRR"
            case 2: "EoRR"
            default: "reserved-\(rawValue)"
            }
        }
    }

    /// "ROUTE-REFRESH ipv4-unicast request".
    public var description: String { "ROUTE-REFRESH \(family) \(subtype)" }
}

// MARK: - Wire form

// Length rules (the body must be exactly 4 octets):
//  1. Subtype 1 or 2 with another length (RFC 7313 §5)
//       -> 7/1 Invalid Message Length, data = the complete ROUTE-REFRESH message
//  2. Subtype 0 (or a reserved subtype, or a body too short to hold the subtype) with
//     another length (RFC 2918 §3 fixes the length; RFC 4271 §6.1)
//       -> 1/2 Bad Message Length, data = the 2-octet message length
//     The framer already guarantees at least 23 bytes in total, so only longer messages
//     reach these rules from the wire.

extension RouteRefreshMessage {
    /// Body length of every valid ROUTE-REFRESH.
    static let bodyLength = 4

    /// Decodes a ROUTE-REFRESH body (everything after the 19-byte header).
    public static func decode(body r: inout ByteReader) throws(MessageError) -> RouteRefreshMessage {
        let body = r.readRest().remainingBytes
        let total = body.count + MessageHeader.length
        if body.count != bodyLength {
            if body.count >= 3, body[2] == Subtype.beginningOfRouteRefresh.rawValue || body[2] == Subtype.endOfRouteRefresh.rawValue {
                // Rule 1: the data is the whole message; the framer checked the header, so it
                // is rebuilt exactly from the body.
                var w = ByteWriter(capacity: total)
                let at = MessageHeader.begin(.routeRefresh, into: &w)
                w.writeBytes(body)
                MessageHeader.finish(lengthAt: at, into: &w)
                throw MessageError(NotificationMessage(code: NotificationCode.routeRefreshMessageError,
                                                       subcode: NotificationCode.RouteRefresh.invalidMessageLength,
                                                       data: w.bytes),
                                   reason: "ROUTE-REFRESH \(Subtype(rawValue: body[2])) body of \(body.count) bytes, expected 4")
            }
            // Rule 2.
            let len = UInt16(clamping: total)
            throw MessageError.header(.badMessageLength, data: [UInt8(len >> 8), UInt8(len & 0xFF)],
                                      reason: "ROUTE-REFRESH length \(total), expected 23")
        }
        let afi = UInt16(body[0]) << 8 | UInt16(body[1])
        return RouteRefreshMessage(family: AddressFamily(afi: AFI(rawValue: afi), safi: SAFI(rawValue: body[3])),
                                   subtype: Subtype(rawValue: body[2]))
    }

    /// Appends the 4-octet body.
    public func encode(into w: inout ByteWriter) {
        w.writeUInt16(family.afi.rawValue)
        w.writeUInt8(subtype.rawValue)
        w.writeUInt8(family.safi.rawValue)
    }
}
