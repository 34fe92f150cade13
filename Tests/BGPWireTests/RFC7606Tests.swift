import Testing
@testable import BGPWire

/// One test per RFC 7606 / RFC 4271 §6.3 outcome: the action, the NOTIFICATION for resets,
/// and which prefixes are withdrawn.
@Suite struct RFC7606Tests {
    // Well-formed pieces.
    let origin = "40 01 01 00"
    let asPath = "40 02 04 02 01 FD E9"
    let nextHop = "40 03 04 C0 00 02 01"
    var base: String { origin + asPath + nextHop }
    let nlri = hex("18 C6 33 64")            // 198.51.100.0/24
    let withdrawn = hex("08 0A")             // 10.0.0.0/8

    func expectReset(_ bytes: [UInt8], _ subcode: UInt8, data: [UInt8]? = nil, _ ctx: CodecContext = .initial,
                     sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let (u, issues) = try decodeUpdate(bytes, ctx)
            Issue.record("expected reset 3/\(subcode), got \(u) \(issues)", sourceLocation: sourceLocation)
        } catch let e as MessageError {
            #expect(e.action == .sessionReset, sourceLocation: sourceLocation)
            #expect(e.notification.code == 3, sourceLocation: sourceLocation)
            #expect(e.notification.subcode == subcode, "\(e)", sourceLocation: sourceLocation)
            if let data { #expect(e.notification.data == data, sourceLocation: sourceLocation) }
            #expect(!e.reason.isEmpty, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        }
    }

    /// Decodes, expects exactly one issue of `action` about `code`, returns the message.
    @discardableResult
    func expectIssue(_ bytes: [UInt8], _ action: ErrorAction, code: UInt8?, _ ctx: CodecContext = .initial,
                     sourceLocation: SourceLocation = #_sourceLocation) throws -> UpdateMessage {
        let d = try BGPMessage.decode(bytes: bytes, context: ctx)
        guard case .update(let u) = d.message else { throw TestFailure("not an UPDATE") }
        #expect(d.issues.count == 1, "\(d.issues)", sourceLocation: sourceLocation)
        #expect(d.issues.first?.action == action, "\(d.issues)", sourceLocation: sourceLocation)
        #expect(d.issues.first?.attributeCode == code, "\(d.issues)", sourceLocation: sourceLocation)
        #expect(d.isTreatAsWithdraw == (action == .treatAsWithdraw), sourceLocation: sourceLocation)
        return u
    }

    func taw(_ attrs: String, code: UInt8?, _ ctx: CodecContext = .initial,
             sourceLocation: SourceLocation = #_sourceLocation) throws {
        let u = try expectIssue(updateBytes(withdrawn: withdrawn, attrs: hex(attrs), nlri: nlri), .treatAsWithdraw,
                                code: code, ctx, sourceLocation: sourceLocation)
        #expect(u.allPrefixes == [p4("10.0.0.0/8"), p4("198.51.100.0/24")], sourceLocation: sourceLocation)
    }

    func discard(_ attrs: String, code: UInt8, _ ctx: CodecContext = .initial,
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> PathAttributes {
        let u = try expectIssue(updateBytes(attrs: hex(attrs), nlri: nlri), .attributeDiscard, code: code, ctx,
                                sourceLocation: sourceLocation)
        #expect(u.nlri == [p4("198.51.100.0/24")], sourceLocation: sourceLocation)
        return u.attributes
    }

    // MARK: Session reset

    @Test func withdrawnLengthOverrunsMessage() {
        var b = updateBytes(withdrawn: withdrawn, attrs: hex(base), nlri: nlri)
        b[20] = 0xFF
        expectReset(b, 1)
    }

    @Test func totalAttributeLengthOverrunsMessage() {
        var b = updateBytes(attrs: hex(base), nlri: nlri)
        b[22] = 0x30  // 48 > the 22 attribute + NLRI bytes left
        expectReset(b, 1)
    }

    @Test func nlriPrefixTooLongOrTruncated() {
        expectReset(updateBytes(attrs: hex(base), nlri: hex("21 0A 00 00 00 00")), 10)
        expectReset(updateBytes(attrs: hex(base), nlri: hex("18 0A 00")), 10)
        expectReset(updateBytes(withdrawn: hex("21 0A 00 00 00 00")), 10)
        expectReset(updateBytes(withdrawn: hex("20 0A")), 10)
    }

    @Test func unrecognizedWellKnownAttribute() {
        expectReset(updateBytes(attrs: hex(base + "40 63 02 AB CD"), nlri: nlri), 2, data: hex("40 63 02 AB CD"))
    }

    @Test func duplicateMPReachOrUnreach() {
        let mp = "80 0F 03 00 02 01"
        expectReset(updateBytes(attrs: hex(mp + mp)), 1)
        let reach = "80 0E 15 00 02 01 10 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00"
        expectReset(updateBytes(attrs: hex(origin + "40 02 00" + reach + reach)), 1)
    }

    @Test func mpReachBadNextHopLength() {
        let attr = "80 0E 0A 00 02 01 04 C0 00 02 01 00 00"  // IPv6 with a 4-byte next hop
        expectReset(updateBytes(attrs: hex(origin + "40 02 00" + attr)), 9, data: hex(attr))
    }

    @Test func mpReachNextHopLengthOverruns() {
        expectReset(updateBytes(attrs: hex(origin + "40 02 00" + "80 0E 06 00 02 01 10 20 01")), 9)
    }

    @Test func mpReachBadNLRI() {
        let attr = "80 0E 17 00 02 01 10 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 81 20"
        expectReset(updateBytes(attrs: hex(origin + "40 02 00" + attr)), 9, data: hex(attr))
    }

    @Test func mpUnreachTooShortOrBadNLRI() {
        expectReset(updateBytes(attrs: hex("80 0F 02 00 02")), 9)
        expectReset(updateBytes(attrs: hex("80 0F 05 00 02 01 30 20")), 9)
    }

    @Test func lengthOverrunHidingMPReachResets() {
        // The last attribute is MP_REACH_NLRI and claims more bytes than are left.
        expectReset(updateBytes(attrs: hex(origin + "40 02 00" + "80 0E 40 00 02 01")), 1)
        // MP-only message (no IPv4 prefixes): an overrun means its NLRI cannot be located.
        expectReset(updateBytes(attrs: hex(origin + "40 02 09 02 01")), 1)
    }

    // MARK: Treat-as-withdraw

    @Test func attributeLengthOverrunsAttributeArea() throws {
        try taw(base + "C0 08 08 FD E8 00 64", code: 8)
        try taw(base + "C0", code: nil)  // fewer than 3 bytes left for a header
        try taw(base + "D0 08 01", code: 8)  // extended length field cut
    }

    @Test func overrunAfterMPReachStillWithdrawsItsNLRI() throws {
        let reach = "80 0E 1C 00 02 01 10 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 30 20 01 0D B8 00 01"
        let u = try expectIssue(updateBytes(attrs: hex(origin + "40 02 00" + reach + "C0 08 08 00")), .treatAsWithdraw, code: 8)
        #expect(u.allPrefixes == [p6("2001:db8:1::/48")])
    }

    @Test func flagsConflictingWithType() throws {
        try taw("C0 01 01 00" + asPath + nextHop, code: 1)           // ORIGIN marked optional
        try taw(base + "40 04 04 00 00 00 01", code: 4)              // MED marked well-known
        try taw(base + "80 08 04 FD E8 00 64", code: 8)              // COMMUNITIES non-transitive
    }

    @Test func missingMandatoryAttributes() throws {
        try taw(asPath + nextHop, code: 1)
        try taw(origin + nextHop, code: 2)
        try taw(origin + asPath, code: 3)
    }

    @Test func noAttributesNeededForWithdrawalsOrMPOnlyNextHop() throws {
        let (u, issues) = try decodeUpdate(updateBytes(withdrawn: withdrawn))
        #expect(issues == [] && u.withdrawn == [p4("10.0.0.0/8")])
        let reach = "80 0E 1C 00 02 01 10 20 01 0D B8 00 00 00 00 00 00 00 00 00 00 00 01 00 30 20 01 0D B8 00 01"
        let (u2, issues2) = try decodeUpdate(updateBytes(attrs: hex(origin + "40 02 00" + reach)))
        #expect(issues2 == [] && u2.mpReach?.nlri == [p6("2001:db8:1::/48")])
        let u3 = try expectIssue(updateBytes(attrs: hex("40 02 00" + reach)), .treatAsWithdraw, code: 1)
        #expect(u3.allPrefixes == [p6("2001:db8:1::/48")])
    }

    @Test func badOriginValueOrLength() throws {
        try taw("40 01 01 03" + asPath + nextHop, code: 1)
        try taw("40 01 02 00 00" + asPath + nextHop, code: 1)
    }

    @Test func malformedASPath() throws {
        try taw(origin + "40 02 04 05 01 FD E9" + nextHop, code: 2)   // segment type 5
        try taw(origin + "40 02 02 02 00" + nextHop, code: 2)         // zero-length segment
        try taw(origin + "40 02 04 02 02 FD E9" + nextHop, code: 2)   // segment overruns
        try taw(origin + "40 02 01 02" + nextHop, code: 2)            // segment header cut
    }

    @Test func wrongFixedLengths() throws {
        try taw(origin + asPath + "40 03 05 C0 00 02 01 00", code: 3)
        try taw(base + "80 04 03 00 00 01", code: 4)
        try taw(base + "40 05 02 00 01", code: 5)
        try taw(base + "80 09 05 0A 00 00 01 00", code: 9)
    }

    @Test func listLengthsNotMultiples() throws {
        try taw(base + "C0 08 06 FD E8 00 64 00 01", code: 8)
        try taw(base + "C0 08 00", code: 8)
        try taw(base + "80 0A 06 0A 00 00 02 00 00", code: 10)
        try taw(base + "C0 10 0C 00 02 FD E8 00 00 00 64 00 00 00 00", code: 16)
        try taw(base + "C0 20 08 00 00 FD E9 00 00 00 01", code: 32)
    }

    // MARK: Attribute discard

    @Test func localPrefFromExternalPeer() throws {
        let a = try discard(base + "40 05 04 00 00 00 64", code: 5, CodecContext(peerIsExternal: true))
        #expect(a.localPref == nil && a.origin == .igp && a.nextHop == v4("192.0.2.1"))
    }

    @Test func badAtomicAggregate() throws {
        let a = try discard(base + "40 06 01 00", code: 6)
        #expect(!a.atomicAggregate)
    }

    @Test func badAggregatorLength() throws {
        let agg8 = "C0 07 08 00 00 FD E9 C0 00 02 09"
        #expect(try discard(base + agg8, code: 7).aggregator == nil)
        let agg6 = "C0 07 06 FD E9 C0 00 02 09"
        let four = CodecContext(fourOctetAS: true)
        let base4 = origin + "40 02 06 02 01 00 00 FD E9" + nextHop
        #expect(try discard(base4 + agg6, code: 7, four).aggregator == nil)
    }

    @Test func malformedAS4Attributes() throws {
        #expect(try discard(base + "C0 11 05 02 01 FA 56 EA", code: 17).as4Path == nil)
        #expect(try discard(base + "C0 11 06 03 01 FA 56 EA 00", code: 17).as4Path == nil)  // confed segment
        #expect(try discard(base + "C0 12 06 FD E9 C0 00 02 09", code: 18).as4Aggregator == nil)
    }

    @Test func as4AttributesFromFourOctetPeerDiscarded() throws {
        let base4 = origin + "40 02 06 02 01 00 00 FD E9" + nextHop
        #expect(try discard(base4 + "C0 11 06 02 01 FA 56 EA 00", code: 17, CodecContext(fourOctetAS: true)).as4Path == nil)
    }

    @Test func duplicateAttributeKeepsFirst() throws {
        let a = try discard(base + "40 01 01 02", code: 1)
        #expect(a.origin == .igp)
        let b = try discard(base + "C0 63 01 01 C0 63 01 02", code: 99)
        #expect(b.unknown == [RawAttribute(flags: 0xC0, code: 99, value: [1])])
    }

    // MARK: No error: incidents that must not reset

    @Test func corruptTunnelEncapsulationAttribute23IsCarriedOpaque() throws {
        // 2023: a malformed attribute 23 reset sessions in several implementations.
        let attr = "C0 17 07 00 01 00 FF FF 12 34"
        let (u, issues) = try decodeUpdate(updateBytes(attrs: hex(base + attr), nlri: nlri))
        #expect(issues == [])
        #expect(u.attributes.unknown == [RawAttribute(flags: 0xC0, code: 23, value: hex("00 01 00 FF FF 12 34"))])
        #expect(u.nlri == [p4("198.51.100.0/24")])
    }

    @Test func zeroFilledPrefixSIDAttribute40IsCarriedOpaque() throws {
        // 2025: a zero-filled Prefix-SID passed on by one vendor reset sessions on another.
        let attr = "C0 28 0A 00 00 00 00 00 00 00 00 00 00"
        let (u, issues) = try decodeUpdate(updateBytes(attrs: hex(base + attr), nlri: nlri))
        #expect(issues == [])
        #expect(u.attributes.unknown.first?.code == 40)
        // Passed on with the Partial bit set.
        let re = BGPMessage.update(u).encoded()
        #expect(re.suffix(4 + 13).prefix(3) == [0xE0, 0x28, 0x0A])
    }

    @Test func unknownOptionalNonTransitiveDroppedQuietly() throws {
        let (u, issues) = try decodeUpdate(updateBytes(attrs: hex(base + "80 63 02 00 00"), nlri: nlri))
        #expect(issues == [] && u.attributes.unknown == [])
    }
}
