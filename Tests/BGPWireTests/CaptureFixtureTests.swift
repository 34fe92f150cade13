import Foundation
import Testing
@testable import BGPWire

/// Real sessions captured from BIRD 2 and GoBGP (Fixtures/captures/NOTES.md). Each
/// `<session>-<sender>.bgp` file is the exact byte stream `<sender>` wrote to the socket.
enum Captures {
    static let directory: URL? = Bundle.module.url(forResource: "captures", withExtension: nil, subdirectory: "Fixtures")

    /// The file names (without directory) of every `*.bgp` capture, sorted.
    static let files: [String] = {
        guard let dir = directory,
              let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        return names.filter { $0.hasSuffix(".bgp") }.sorted()
    }()

    static func bytes(_ file: String) throws -> [UInt8] {
        let dir = try #require(directory)
        return try [UInt8](Data(contentsOf: dir.appendingPathComponent(file)))
    }

    /// `bird-gobgp-ibgp-gobgp.bgp` -> ("bird-gobgp-ibgp", "gobgp").
    static func split(_ file: String) -> (session: String, sender: String) {
        let stem = String(file.dropLast(4))
        let dash = stem.lastIndex(of: "-")!
        return (String(stem[..<dash]), String(stem[stem.index(after: dash)...]))
    }

    /// The other direction of the same session.
    static func peerFile(of file: String) throws -> String {
        let (session, _) = split(file)
        let others = files.filter { $0 != file && split($0).session == session }
        try #require(others.count == 1, "session \(session) needs exactly two capture files, has \(others.count + 1)")
        return others[0]
    }

    /// Cuts a stream into frames, feeding it to the framer in the given chunk sizes
    /// (the last chunk takes whatever is left). Fails unless the frames end exactly at the end.
    static func frames(_ stream: [UInt8], chunks: some Sequence<Int>, maxLength: Int = 65535) throws -> [Frame] {
        var framer = MessageFramer(maxMessageLength: maxLength)
        var out: [Frame] = []
        var at = 0
        var sizes = chunks.makeIterator()
        while at < stream.count {
            let n = min(max(sizes.next() ?? stream.count, 1), stream.count - at)
            framer.append(stream[at..<at + n])
            at += n
            while let f = try framer.next() { out.append(f) }
        }
        #expect(framer.bufferedByteCount == 0, "stream does not end on a message boundary")
        return out
    }

    static func frames(_ stream: [UInt8]) throws -> [Frame] {
        try frames(stream, chunks: [stream.count])
    }

    static func open(_ frame: Frame) throws -> OpenMessage {
        let d = try BGPMessage.decode(frame)
        guard case .open(let o) = d.message else { throw TestFailure("first message is \(d.message.type), not OPEN") }
        return o
    }

    /// The context for decoding what `file`'s sender wrote: negotiated from the receiver's
    /// OPEN (local) and the sender's OPEN (remote); external when the two ASes differ.
    static func decodeContext(for file: String) throws -> CodecContext {
        let mine = try open(try #require(frames(bytes(file)).first))
        let theirs = try open(try #require(frames(bytes(peerFile(of: file))).first))
        var ctx = NegotiatedCapabilities(local: theirs, remote: mine).decodeContext
        ctx.peerIsExternal = mine.asNumber != theirs.asNumber
        return ctx
    }

    /// Every message of `file`, decoded with its negotiated context (OPEN included).
    static func decoded(_ file: String) throws -> [DecodedMessage] {
        let ctx = try decodeContext(for: file)
        return try frames(bytes(file)).map { f throws(MessageError) in try BGPMessage.decode(f, context: ctx) }
    }

    static func updates(_ file: String) throws -> [UpdateMessage] {
        try decoded(file).compactMap { if case .update(let u) = $0.message { u } else { nil } }
    }
}

/// A path attribute as it sits on the wire, for comparing encodings (tests only).
struct WireAttribute: Equatable {
    var flags: UInt8
    var code: UInt8
    var value: [UInt8]
}

/// Splits an UPDATE's Path Attributes field into its attributes, as sent.
func wireAttributes(ofUpdate msg: [UInt8]) throws -> [WireAttribute] {
    let wlen = Int(msg[19]) << 8 | Int(msg[20])
    let aStart = 23 + wlen
    let alen = Int(msg[21 + wlen]) << 8 | Int(msg[22 + wlen])
    var out: [WireAttribute] = []
    var p = aStart
    while p < aStart + alen {
        let flags = msg[p], code = msg[p + 1]
        let ext = flags & AttributeFlags.extendedLength != 0
        let len = ext ? Int(msg[p + 2]) << 8 | Int(msg[p + 3]) : Int(msg[p + 2])
        let v = p + (ext ? 4 : 3)
        try #require(v + len <= aStart + alen)
        out.append(WireAttribute(flags: flags, code: code, value: Array(msg[v..<v + len])))
        p = v + len
    }
    return out
}

/// Counts NOTES.md gives for one capture file.
struct CaptureFacts: Sendable {
    var bytes: Int
    var open = 1, update: Int, notification: Int, keepalive: Int, routeRefresh: Int
    var endOfRIB: Int, withWithdrawals: Int
    var withIPv4NLRI: Int, withMPReach: Int, withMPUnreach: Int
    var communitiesIn: Int, largeIn: Int, extendedIn: Int, medIn: Int
    /// OPEN capability codes, in order.
    var capabilities: [UInt8]
    /// ROUTE-REFRESH (AFI, SAFI, subtype), in order.
    var routeRefreshes: [(UInt16, UInt8, UInt8)] = []
}

/// From Fixtures/captures/NOTES.md ("Files and message counts" and the per-file lists).
let captureFacts: [String: CaptureFacts] = [
    "bird-bird-a.bgp": CaptureFacts(bytes: 1020, update: 11, notification: 1, keepalive: 4, routeRefresh: 2,
                                    endOfRIB: 2, withWithdrawals: 2, withIPv4NLRI: 5, withMPReach: 2, withMPUnreach: 1,
                                    communitiesIn: 3, largeIn: 3, extendedIn: 3, medIn: 3,
                                    capabilities: [1, 1, 2, 6, 64, 65, 69, 70, 71],
                                    routeRefreshes: [(1, 1, 0), (2, 1, 0)]),
    "bird-bird-b.bgp": CaptureFacts(bytes: 1095, update: 12, notification: 0, keepalive: 4, routeRefresh: 4,
                                    endOfRIB: 2, withWithdrawals: 0, withIPv4NLRI: 6, withMPReach: 4, withMPUnreach: 0,
                                    communitiesIn: 4, largeIn: 4, extendedIn: 2, medIn: 2,
                                    capabilities: [1, 1, 2, 64, 65, 69, 70, 71],
                                    routeRefreshes: [(1, 1, 1), (1, 1, 2), (2, 1, 1), (2, 1, 2)]),
    "bird-gobgp-ibgp-bird.bgp": CaptureFacts(bytes: 513, update: 6, notification: 0, keepalive: 4, routeRefresh: 2,
                                             endOfRIB: 2, withWithdrawals: 1, withIPv4NLRI: 2, withMPReach: 1, withMPUnreach: 0,
                                             communitiesIn: 1, largeIn: 1, extendedIn: 1, medIn: 1,
                                             capabilities: [1, 1, 2, 64, 65, 70, 71],
                                             routeRefreshes: [(1, 1, 0), (2, 1, 0)]),
    "bird-gobgp-ibgp-gobgp.bgp": CaptureFacts(bytes: 1361, update: 20, notification: 1, keepalive: 4, routeRefresh: 0,
                                              endOfRIB: 4, withWithdrawals: 2, withIPv4NLRI: 8, withMPReach: 6, withMPUnreach: 1,
                                              communitiesIn: 8, largeIn: 4, extendedIn: 2, medIn: 4,
                                              capabilities: [2, 73, 1, 1, 65, 64, 5]),
    "bird-gobgp-ebgp-bird.bgp": CaptureFacts(bytes: 636, update: 7, notification: 1, keepalive: 4, routeRefresh: 0,
                                             endOfRIB: 2, withWithdrawals: 1, withIPv4NLRI: 2, withMPReach: 2, withMPUnreach: 0,
                                             communitiesIn: 2, largeIn: 2, extendedIn: 2, medIn: 2,
                                             capabilities: [1, 1, 2, 64, 65, 70, 71]),
    "bird-gobgp-ebgp-gobgp.bgp": CaptureFacts(bytes: 611, update: 9, notification: 0, keepalive: 3, routeRefresh: 0,
                                              endOfRIB: 2, withWithdrawals: 2, withIPv4NLRI: 3, withMPReach: 2, withMPUnreach: 1,
                                              communitiesIn: 3, largeIn: 1, extendedIn: 2, medIn: 2,
                                              capabilities: [2, 73, 1, 1, 65, 64, 5]),
]

/// The first UPDATE announcing `prefix` (IPv4 NLRI or MP_REACH_NLRI), path identifier ignored.
func announcement(of prefix: String, in updates: [UpdateMessage]) throws -> (UpdateMessage, NLRI) {
    for u in updates {
        for n in u.nlri + (u.mpReach?.nlri ?? []) where n.prefix.description == prefix { return (u, n) }
    }
    throw TestFailure("\(prefix) is never announced")
}

func rt(_ asn: UInt16, _ local: UInt32) -> ExtendedCommunity {
    .twoOctetAS(subtype: ExtendedCommunity.routeTargetSubtype, asn: asn, local: local)
}

func seq(_ asns: UInt32...) -> ASPath { ASPath([ASPathSegment(.sequence, asns)]) }

@Suite struct CaptureFixtureTests {
    @Test func everyCaptureIsListed() {
        #expect(Captures.files == captureFacts.keys.sorted())
    }

    // MARK: (a) framing

    @Test(arguments: Captures.files)
    func framingIsIndependentOfChunking(_ file: String) throws {
        let stream = try Captures.bytes(file)
        #expect(stream.count == captureFacts[file]?.bytes)
        // No session negotiated extended messages: every message fits 4096.
        let whole = try Captures.frames(stream, chunks: [stream.count], maxLength: 4096)
        #expect(whole.flatMap(\.bytes) == stream, "frames must cover the stream exactly, in order")
        let f = try #require(captureFacts[file])
        #expect(whole.count == f.open + f.update + f.notification + f.keepalive + f.routeRefresh)

        let bytewise = try Captures.frames(stream, chunks: repeatElement(1, count: stream.count), maxLength: 4096)
        #expect(bytewise == whole)
        for seed in [1, 7, 0x5EED, 2026] as [UInt64] {
            var rng = SplitMix64(seed: seed)
            let sizes = (0..<stream.count).map { _ in Int.random(in: 1...64, using: &rng) }
            #expect(try Captures.frames(stream, chunks: sizes, maxLength: 4096) == whole, "seed \(seed)")
        }
        // Cut one byte short, the last message never completes.
        var framer = MessageFramer()
        framer.append(stream.dropLast())
        var n = 0
        while try framer.next() != nil { n += 1 }
        #expect(n == whole.count - 1)
        #expect(framer.bufferedByteCount == whole.last!.bytes.count - 1)
    }

    // MARK: (b) negotiation and clean decode

    @Test func negotiatedContexts() throws {
        // Session A: ADD-PATH for IPv4 only, both directions; a offers extended messages, b does not.
        for file in ["bird-bird-a.bgp", "bird-bird-b.bgp"] {
            #expect(try Captures.decodeContext(for: file)
                    == CodecContext(fourOctetAS: true, extendedMessage: false, addPath: [.ipv4Unicast], peerIsExternal: true))
        }
        for file in ["bird-gobgp-ibgp-bird.bgp", "bird-gobgp-ibgp-gobgp.bgp"] {
            #expect(try Captures.decodeContext(for: file) == CodecContext(fourOctetAS: true, peerIsExternal: false))
        }
        for file in ["bird-gobgp-ebgp-bird.bgp", "bird-gobgp-ebgp-gobgp.bgp"] {
            #expect(try Captures.decodeContext(for: file) == CodecContext(fourOctetAS: true, peerIsExternal: true))
        }
        let a = try Captures.open(try #require(Captures.frames(Captures.bytes("bird-bird-a.bgp")).first))
        let b = try Captures.open(try #require(Captures.frames(Captures.bytes("bird-bird-b.bgp")).first))
        let n = NegotiatedCapabilities(local: b, remote: a)
        #expect(n.families == [.ipv4Unicast, .ipv6Unicast])
        #expect(n.addPathSend == [.ipv4Unicast] && n.addPathReceive == [.ipv4Unicast])
        #expect(n.enhancedRouteRefresh && n.routeRefresh && !n.extendedMessage)
        #expect(n.holdTime == 9)
    }

    @Test(arguments: Captures.files)
    func everyMessageDecodesCleanly(_ file: String) throws {
        let decoded = try Captures.decoded(file)
        #expect(!decoded.isEmpty)
        for (i, d) in decoded.enumerated() {
            #expect(d.issues.isEmpty, "message \(i): \(d.issues)")
        }
    }

    // MARK: (c) re-encoding

    /// Tern writes MP_REACH_NLRI / MP_UNREACH_NLRI as the very first attribute (RFC 7606 §5.1),
    /// then the others in type-code order, with Extended Length only for values over 255
    /// bytes. BIRD sends the same order, so its UPDATEs re-encode byte for byte except that
    /// BIRD always sets Extended Length on a non-empty MP attribute (flags 0x90, one byte
    /// longer). GoBGP writes attributes in type-code order (MP_REACH_NLRI at 14), so its
    /// UPDATEs without MP attributes re-encode identically and those with one differ only by
    /// the MP attribute moving to the front. For every differing UPDATE this test checks that
    /// the difference is exactly that (same attributes and values), plus decode(encode(x)) == x.
    @Test(arguments: Captures.files)
    func updatesReencode(_ file: String) throws {
        let ctx = try Captures.decodeContext(for: file)
        let isBIRD = Captures.split(file).sender != "gobgp"
        var identical = 0, different = 0
        for frame in try Captures.frames(Captures.bytes(file)) where frame.type == .update {
            let d = try BGPMessage.decode(frame, context: ctx)
            let re = d.message.encoded(context: ctx)
            #expect(try BGPMessage.decode(bytes: re, context: ctx) == d)
            if re == frame.bytes {
                identical += 1
                continue
            }
            let original = try wireAttributes(ofUpdate: frame.bytes)
            let mine = try wireAttributes(ofUpdate: re)
            let isMP = { (a: WireAttribute) in a.code == AttributeCode.mpReachNLRI || a.code == AttributeCode.mpUnreachNLRI }
            // Ours: MP first, then type-code order, Extended Length only when needed.
            let firstMine = try #require(mine.first)
            #expect(isMP(firstMine), "MP attribute not first in \(hexString(re))")
            let canonical = original.filter(isMP) + original.filter { !isMP($0) }.sorted { $0.code < $1.code }
            let normalized = canonical.map {
                WireAttribute(flags: $0.value.count > 255 ? $0.flags : $0.flags & ~AttributeFlags.extendedLength,
                              code: $0.code, value: $0.value)
            }
            #expect(normalized == mine)
            if isBIRD {
                // BIRD: same order, only the Extended Length octets differ.
                #expect(original.map(\.code) == mine.map(\.code))
                #expect(re.count == frame.bytes.count - original.filter { $0.flags & AttributeFlags.extendedLength != 0 }.count)
            } else {
                // GoBGP: same bytes per attribute, only the MP attribute moved to the front.
                #expect(re.count == frame.bytes.count)
                #expect(original.first.map(isMP) == false)
            }
            different += 1
        }
        let f = try #require(captureFacts[file])
        #expect(identical + different == f.update)
        // BIRD: exactly the UPDATEs carrying MP_REACH_NLRI or a non-empty MP_UNREACH_NLRI differ
        // (Extended Length; its IPv6 End-of-RIB, an empty MP_UNREACH_NLRI, is sent without).
        // GoBGP: only those with MP_REACH_NLRI (its withdrawals carry MP_UNREACH_NLRI alone).
        #expect(different == (isBIRD ? f.withMPReach + f.withMPUnreach : f.withMPReach))
    }

    // MARK: (d) facts from NOTES.md

    @Test(arguments: Captures.files)
    func messageCountsMatchNotes(_ file: String) throws {
        let f = try #require(captureFacts[file])
        let msgs = try Captures.decoded(file).map(\.message)
        #expect(msgs.first?.type == .open)
        #expect(msgs.filter { $0.type == .open }.count == f.open)
        #expect(msgs.filter { $0.type == .notification }.count == f.notification)
        #expect(msgs.filter { $0.type == .keepalive }.count == f.keepalive)
        #expect(msgs.filter { $0.type == .routeRefresh }.count == f.routeRefresh)
        let updates = msgs.compactMap { if case .update(let u) = $0 { u } else { nil } }
        #expect(updates.count == f.update)
        #expect(updates.filter { $0.endOfRIBFamily != nil }.count == f.endOfRIB)
        #expect(updates.filter { !$0.withdrawn.isEmpty || !($0.mpUnreach?.withdrawn.isEmpty ?? true) }.count == f.withWithdrawals)
        #expect(updates.filter { !$0.nlri.isEmpty }.count == f.withIPv4NLRI)
        #expect(updates.filter { $0.mpReach != nil }.count == f.withMPReach)
        #expect(updates.filter { $0.mpUnreach != nil && $0.endOfRIBFamily == nil }.count == f.withMPUnreach)
        #expect(updates.filter { !$0.attributes.communities.isEmpty }.count == f.communitiesIn)
        #expect(updates.filter { !$0.attributes.largeCommunities.isEmpty }.count == f.largeIn)
        #expect(updates.filter { !$0.attributes.extendedCommunities.isEmpty }.count == f.extendedIn)
        #expect(updates.filter { $0.attributes.multiExitDisc != nil }.count == f.medIn)

        // End-of-RIB for both families, IPv4 as the empty UPDATE, IPv6 as an empty MP_UNREACH.
        let eors = updates.compactMap(\.endOfRIBFamily)
        #expect(eors.filter { $0 == .ipv4Unicast }.count == f.endOfRIB / 2)
        #expect(eors.filter { $0 == .ipv6Unicast }.count == f.endOfRIB / 2)

        guard case .open(let open) = msgs[0] else { return }
        #expect(open.capabilities.map(\.code) == f.capabilities)
        #expect(open.holdTime == 9)
        let rr = msgs.compactMap { if case .routeRefresh(let r) = $0 { r } else { nil } }
        #expect(rr.map { "\($0.family.afi.rawValue)/\($0.family.safi.rawValue)/\($0.subtype.rawValue)" }
                == f.routeRefreshes.map { "\($0.0)/\($0.1)/\($0.2)" })
    }

    @Test func shutdownNotifications() throws {
        func notifications(_ file: String) throws -> [NotificationMessage] {
            try Captures.decoded(file).compactMap { if case .notification(let n) = $0.message { n } else { nil } }
        }
        for (file, text) in [("bird-bird-a.bgp", "tern capture: session A done"),
                             ("bird-gobgp-ebgp-bird.bgp", "tern capture: session C done")] {
            let n = try #require(try notifications(file).first)
            #expect(n.code == 6 && n.subcode == 2)
            #expect(n.data.count == 29 && n.data.first == 28)
            #expect(n.shutdownCommunication == text)
            // The NOTIFICATION is the last message BIRD sent before closing.
            #expect(try Captures.decoded(file).last?.message == .notification(n))
        }
        // GoBGP 3.10 sends Cease 6/2 without the --reason text.
        let g = try #require(try notifications("bird-gobgp-ibgp-gobgp.bgp").first)
        #expect(g == NotificationMessage(code: 6, subcode: 2, data: []))
        #expect(g.shutdownCommunication == nil)
    }

    @Test func sessionARoutes() throws {
        let a = try Captures.updates("bird-bird-a.bgp")
        // Every IPv4 prefix carries a path identifier (ADD-PATH, IPv4 only); IPv6 none.
        #expect(a.allSatisfy { u in (u.nlri + u.withdrawn).allSatisfy { $0.pathID != nil } })
        #expect(a.allSatisfy { u in (u.mpReach?.nlri ?? []).allSatisfy { $0.pathID == nil } })

        let (u2, n2) = try announcement(of: "10.10.2.0/24", in: a)
        #expect(n2.pathID != nil)
        #expect(u2.attributes.nextHop == v4("192.168.77.1"))
        #expect(u2.attributes.multiExitDisc == 50)
        #expect(u2.attributes.largeCommunities == [LargeCommunity(global: 64512, local1: 1, local2: 2),
                                                   LargeCommunity(global: 4_200_000_000, local1: 7, local2: 8)])
        #expect(u2.attributes.asPath == seq(64512))

        let (u3, _) = try announcement(of: "10.10.3.0/24", in: a)
        #expect(u3.attributes.asPath == seq(64512, 64512, 64512))
        #expect(u3.attributes.extendedCommunities == [
            rt(64512, 10),
            .twoOctetAS(subtype: ExtendedCommunity.routeOriginSubtype, asn: 64512, local: 20),
            .fourOctetAS(subtype: ExtendedCommunity.routeTargetSubtype, asn: 4_200_000_000, local: 30),
        ])

        let (u4, _) = try announcement(of: "10.10.4.0/24", in: a)
        #expect(u4.attributes.origin == .incomplete)
        #expect(u4.attributes.communities == [.noExport])
        #expect(u4.attributes.largeCommunities == [LargeCommunity(global: 64512, local1: 0, local2: 1)])
        #expect(u4.attributes.extendedCommunities == [rt(64512, 40)])
        #expect(u4.attributes.multiExitDisc == 7)

        let (u1, _) = try announcement(of: "10.10.1.0/24", in: a)
        #expect(u1.attributes.communities == [Community(asn: 64512, value: 100), Community(asn: 64512, value: 200)])

        let (u6, _) = try announcement(of: "fd00:10:10:1::/64", in: a)
        let mp = try #require(u6.mpReach)
        #expect(mp.family == .ipv6Unicast)
        #expect(mp.nextHops.count == 2)
        #expect(mp.nextHops.first == .v6(v6("2001:db8:77::1")))
        if case .v6(let ll) = mp.nextHops.last { #expect(ll.description.hasPrefix("fe80::")) } else { Issue.record("no link-local") }
        #expect(u6.attributes.communities == [Community(asn: 64512, value: 600)])
        #expect(u6.attributes.multiExitDisc == 60)
        #expect(u6.attributes.nextHop == nil)

        // Withdrawals: 2 IPv4 with path ids, 1 IPv6 in MP_UNREACH_NLRI.
        let w4 = a.flatMap(\.withdrawn)
        #expect(w4.map(\.prefix.description).sorted() == ["10.99.1.0/24", "10.99.2.0/25"])
        #expect(w4.allSatisfy { $0.pathID != nil })
        #expect(a.flatMap { $0.mpUnreach?.withdrawn ?? [] } == [p6("fd00:99:1::/48")])

        let b = try Captures.updates("bird-bird-b.bgp")
        let (b2, _) = try announcement(of: "10.20.2.0/24", in: b)
        #expect(b2.attributes.multiExitDisc == 100 && b2.attributes.origin == .egp)
        #expect(b2.attributes.nextHop == v4("192.168.77.2"))
        let (b1, _) = try announcement(of: "10.20.1.0/24", in: b)
        #expect(b1.attributes.asPath == seq(64513, 64513))
        #expect(b1.attributes.communities == [Community(asn: 64513, value: 1)])
        #expect(b1.attributes.largeCommunities == [LargeCommunity(global: 64513, local1: 2, local2: 3)])
        #expect(b1.attributes.extendedCommunities == [rt(64513, 4)])
        let (b6, _) = try announcement(of: "fd00:10:244:7::/64", in: b)
        #expect(b6.mpReach?.nextHops.first == .v6(v6("2001:db8:77::2")))
    }

    @Test func sessionBRoutes() throws {
        let g = try Captures.updates("bird-gobgp-ibgp-gobgp.bgp")
        let (g1, _) = try announcement(of: "10.244.3.0/26", in: g)
        #expect(g1.attributes.communities == [Community(asn: 64512, value: 400)])
        #expect(g1.attributes.multiExitDisc == 40)
        #expect(g1.attributes.nextHop == v4("192.168.77.12"))
        let (g2, _) = try announcement(of: "10.244.3.64/26", in: g)
        #expect(g2.attributes.localPref == 150)
        #expect(g2.attributes.origin == .incomplete)
        #expect(g2.attributes.largeCommunities == [LargeCommunity(global: 64512, local1: 4, local2: 4)])
        let (g3, _) = try announcement(of: "10.40.1.0/24", in: g)
        #expect(g3.attributes.asPath == seq(64600, 64601))
        #expect(g3.attributes.aggregator == Aggregator(asn: 64601, address: v4("192.168.77.12")))
        #expect(g3.attributes.communities == [Community(asn: 64512, value: 401), .noExport])
        #expect(g3.attributes.extendedCommunities == [rt(64512, 41)])
        let (g6, _) = try announcement(of: "fd00:10:244:30::/64", in: g)
        #expect(g6.mpReach?.nextHops == [.v6(v6("2001:db8:77::12"))])  // GoBGP: 16-byte next hop
        #expect(g6.attributes.multiExitDisc == 60)
        #expect(g6.attributes.communities == [Community(asn: 64512, value: 600)])
        #expect(g.flatMap(\.withdrawn) == [p4("10.99.9.0/24")])
        #expect(g.flatMap { $0.mpUnreach?.withdrawn ?? [] } == [p6("fd00:99:9::/48")])

        let b = try Captures.updates("bird-gobgp-ibgp-bird.bgp")
        let (b1, _) = try announcement(of: "10.244.2.64/26", in: b)
        #expect(b1.attributes.multiExitDisc == 30)
        #expect(b1.attributes.localPref == 200)
        #expect(b1.attributes.communities == [Community(asn: 64512, value: 300)])
        #expect(b1.attributes.asPath == ASPath())  // iBGP: empty AS_PATH
        let (b6, _) = try announcement(of: "fd00:10:244:3::/64", in: b)
        #expect(b6.mpReach?.nextHops.count == 2)  // BIRD `direct;`: global + link-local (32 bytes)
        #expect(b6.mpReach?.nextHops.first == .v6(v6("2001:db8:77::11")))
        #expect(b.flatMap(\.withdrawn) == [p4("10.244.2.192/26")])
    }

    @Test func sessionCRoutes() throws {
        let g = try Captures.updates("bird-gobgp-ebgp-gobgp.bgp")
        let (g1, _) = try announcement(of: "10.50.1.0/24", in: g)
        #expect(g1.attributes.largeCommunities == [LargeCommunity(global: 64513, local1: 5, local2: 5),
                                                   LargeCommunity(global: 4_200_000_000, local1: 1, local2: 2)])
        #expect(g1.attributes.communities == [Community(asn: 64513, value: 501)])
        #expect(g1.attributes.extendedCommunities == [rt(64513, 51)])
        #expect(g1.attributes.asPath == seq(64513))
        #expect(g1.attributes.localPref == nil)
        let (g6, _) = try announcement(of: "fd00:10:244:50::/64", in: g)
        #expect(g6.attributes.multiExitDisc == 65)
        #expect(g6.attributes.extendedCommunities == [rt(64513, 65)])
        #expect(g6.mpReach?.nextHops == [.v6(v6("2001:db8:77::22"))])
        #expect(g.flatMap(\.withdrawn) == [p4("10.99.5.0/24")])
        #expect(g.flatMap { $0.mpUnreach?.withdrawn ?? [] } == [p6("fd00:99:5::/48")])

        let b = try Captures.updates("bird-gobgp-ebgp-bird.bgp")
        let (b1, _) = try announcement(of: "10.30.1.0/24", in: b)
        #expect(b1.attributes.multiExitDisc == 3)
        #expect(b1.attributes.asPath == seq(64512, 64512))
        #expect(b1.attributes.communities == [Community(asn: 64512, value: 30)])
        #expect(b1.attributes.largeCommunities == [LargeCommunity(global: 64512, local1: 30, local2: 1)])
        #expect(b1.attributes.nextHop == v4("192.168.77.21"))
        let (b6, _) = try announcement(of: "fd00:10:30:1::/64", in: b)
        #expect(b6.attributes.asPath == seq(64512, 64512))
        #expect(b6.mpReach?.nextHops.count == 2)
        #expect(b.flatMap(\.withdrawn) == [p4("10.99.4.0/24")])
    }
}
