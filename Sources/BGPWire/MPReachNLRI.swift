import IPCore
/// The MP_REACH_NLRI attribute (RFC 4760 §3): reachable NLRI of any address family.
///
/// ```
/// +---------------------------------------------------------+
/// | Address Family Identifier (2 octets)                    |
/// +---------------------------------------------------------+
/// | Subsequent Address Family Identifier (1 octet)          |
/// +---------------------------------------------------------+
/// | Length of Next Hop Network Address (1 octet)            |
/// +---------------------------------------------------------+
/// | Network Address of Next Hop (variable)                  |
/// +---------------------------------------------------------+
/// | Reserved (1 octet)                                      |
/// +---------------------------------------------------------+
/// | Network Layer Reachability Information (variable)       |
/// +---------------------------------------------------------+
/// ```
/// Optional non-transitive, code 14. IPv6 next hop: 16 octets (global) or 32 (global then
/// link-local, RFC 2545 §3); IPv4 unicast: 4 octets (or 16/32 for an IPv6 next hop, RFC 8950).
/// Families other than IPv4/IPv6 unicast and multicast keep next hop and NLRI as opaque bytes.
public struct MPReachNLRI: Hashable, Sendable {
    /// AFI/SAFI of the NLRI.
    public var family: AddressFamily
    /// Next hops: one global address, optionally followed by an IPv6 link-local one.
    public var nextHops: [IPAddress]
    /// The reachable prefixes (decoded families only).
    public var nlri: [NLRI]
    /// Next hop bytes of a family Tern does not decode.
    public var unsupportedNextHop: [UInt8]
    /// NLRI bytes of a family Tern does not decode.
    public var unsupportedNLRI: [UInt8]

    /// Reachability for a family Tern decodes.
    public init(family: AddressFamily, nextHops: [IPAddress], nlri: [NLRI]) {
        self.family = family
        self.nextHops = nextHops
        self.nlri = nlri
        self.unsupportedNextHop = []
        self.unsupportedNLRI = []
    }

    /// Reachability for another family, kept opaque.
    public init(family: AddressFamily, unsupportedNextHop: [UInt8], unsupportedNLRI: [UInt8]) {
        self.family = family
        self.nextHops = []
        self.nlri = []
        self.unsupportedNextHop = unsupportedNextHop
        self.unsupportedNLRI = unsupportedNLRI
    }

    /// True for the families whose NLRI Tern decodes (IPv4/IPv6, unicast or multicast).
    public static func decodes(_ family: AddressFamily) -> Bool {
        (family.afi == .ipv4 || family.afi == .ipv6) && (family.safi == .unicast || family.safi == .multicast)
    }
}

/// The MP_UNREACH_NLRI attribute (RFC 4760 §4): withdrawn NLRI of any address family.
///
/// ```
/// +---------------------------------------------------------+
/// | Address Family Identifier (2 octets)                    |
/// +---------------------------------------------------------+
/// | Subsequent Address Family Identifier (1 octet)          |
/// +---------------------------------------------------------+
/// | Withdrawn Routes (variable)                             |
/// +---------------------------------------------------------+
/// ```
/// Optional non-transitive, code 15. An empty one is the End-of-RIB marker of its family
/// (RFC 4724 §2).
public struct MPUnreachNLRI: Hashable, Sendable {
    /// AFI/SAFI of the withdrawn NLRI.
    public var family: AddressFamily
    /// The withdrawn prefixes (decoded families only).
    public var withdrawn: [NLRI]
    /// Withdrawn-routes bytes of a family Tern does not decode.
    public var unsupportedNLRI: [UInt8]

    public init(family: AddressFamily, withdrawn: [NLRI], unsupportedNLRI: [UInt8] = []) {
        self.family = family
        self.withdrawn = withdrawn
        self.unsupportedNLRI = unsupportedNLRI
    }
}

// MARK: - Wire form (RFC 4760 §3, §4, §7; RFC 7606 §7.11, §5.3)

extension MPReachNLRI {
    /// Decodes the value in `v`. Anything malformed resets the session with
    /// 3/9 Optional Attribute Error and the whole attribute as data (RFC 4760 §7).
    static func decode(_ v: inout ByteReader, attribute: Range<Int>, context: CodecContext) throws(MessageError) -> MPReachNLRI {
        func fail(_ reason: String) -> MessageError {
            MessageError.update(NotificationCode.Update.optionalAttributeError, data: Array(v.bytes[attribute]),
                                reason: "MP_REACH_NLRI \(reason)")
        }
        guard v.remaining >= 5 else { throw fail("length \(v.remaining), too short for AFI, SAFI, next hop length and reserved") }
        let afi = AFI(rawValue: (try? v.readUInt16()) ?? 0)
        let safi = SAFI(rawValue: (try? v.readUInt8()) ?? 0)
        let family = AddressFamily(afi: afi, safi: safi)
        let nhLen = Int((try? v.readUInt8()) ?? 0)
        guard nhLen + 1 <= v.remaining else { throw fail("next hop length \(nhLen) overruns the attribute") }
        guard let nh = try? v.readReader(nhLen) else { throw fail("next hop truncated") }
        try? v.skip(1)  // Reserved: ignored on receipt (RFC 4760 §3).
        guard decodes(family) else {
            return MPReachNLRI(family: family, unsupportedNextHop: nh.remainingBytes, unsupportedNLRI: v.remainingBytes)
        }
        var hops: [IPAddress] = []
        var n = nh
        switch (afi, nhLen) {
        case (.ipv4, 4):
            hops = [.v4(IPv4Address(AttributeTable.u32(&n)))]
        case (_, 16), (_, 32):
            // IPv6 global (+ link-local); for IPv4 NLRI an IPv6 next hop (RFC 8950).
            hops.reserveCapacity(nhLen / 16)
            while !n.isAtEnd {
                let hi = (try? n.readUInt64()) ?? 0, lo = (try? n.readUInt64()) ?? 0
                hops.append(.v6(IPv6Address(high: hi, low: lo)))
            }
        default:
            throw fail("next hop length \(nhLen) is invalid for \(family)")
        }
        do {
            let nlri = try NLRI.decodeList(from: &v, family: family, addPath: context.hasAddPath(family))
            return MPReachNLRI(family: family, nextHops: hops, nlri: nlri)
        } catch {
            throw fail("NLRI: \(error)")
        }
    }

    /// Bytes of the value before the NLRI: AFI, SAFI, next hop length, next hops, reserved.
    var headerSize: Int {
        5 + (MPReachNLRI.decodes(family) ? nextHops.reduce(0) { $0 + $1.wireSize } : unsupportedNextHop.count)
    }

    /// Writes AFI, SAFI, next hop length, next hops and the reserved octet.
    func encodeHeader(into w: inout ByteWriter) {
        w.writeUInt16(family.afi.rawValue)
        w.writeUInt8(family.safi.rawValue)
        if MPReachNLRI.decodes(family) {
            w.writeUInt8(UInt8(truncatingIfNeeded: nextHops.reduce(0) { $0 + $1.wireSize }))
            for h in nextHops { h.encode(into: &w) }
        } else {
            w.writeUInt8(UInt8(truncatingIfNeeded: unsupportedNextHop.count))
            w.writeBytes(unsupportedNextHop)
        }
        w.writeUInt8(0)
    }

    /// Writes the attribute value.
    func encodeValue(into w: inout ByteWriter, context: CodecContext) {
        encodeHeader(into: &w)
        if MPReachNLRI.decodes(family) {
            let ap = context.hasAddPath(family)
            for x in nlri { x.encode(into: &w, addPath: ap) }
        } else {
            w.writeBytes(unsupportedNLRI)
        }
    }
}

extension MPUnreachNLRI {
    /// Decodes the value in `v`; malformed -> 3/9 with the attribute as data (RFC 4760 §7).
    static func decode(_ v: inout ByteReader, attribute: Range<Int>, context: CodecContext) throws(MessageError) -> MPUnreachNLRI {
        func fail(_ reason: String) -> MessageError {
            MessageError.update(NotificationCode.Update.optionalAttributeError, data: Array(v.bytes[attribute]),
                                reason: "MP_UNREACH_NLRI \(reason)")
        }
        guard v.remaining >= 3 else { throw fail("length \(v.remaining), too short for AFI and SAFI") }
        let afi = AFI(rawValue: (try? v.readUInt16()) ?? 0)
        let safi = SAFI(rawValue: (try? v.readUInt8()) ?? 0)
        let family = AddressFamily(afi: afi, safi: safi)
        guard MPReachNLRI.decodes(family) else {
            return MPUnreachNLRI(family: family, withdrawn: [], unsupportedNLRI: v.remainingBytes)
        }
        do {
            return MPUnreachNLRI(family: family,
                                 withdrawn: try NLRI.decodeList(from: &v, family: family, addPath: context.hasAddPath(family)))
        } catch {
            throw fail("withdrawn routes: \(error)")
        }
    }

    /// Writes the attribute value.
    func encodeValue(into w: inout ByteWriter, context: CodecContext) {
        w.writeUInt16(family.afi.rawValue)
        w.writeUInt8(family.safi.rawValue)
        if MPReachNLRI.decodes(family) {
            let ap = context.hasAddPath(family)
            for x in withdrawn { x.encode(into: &w, addPath: ap) }
        } else {
            w.writeBytes(unsupportedNLRI)
        }
    }
}
