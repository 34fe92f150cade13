import IPCore
import BGPWire
import Testing
@testable import RIB

/// Candidate with sensible defaults: iBGP, neighbour AS 64513, router ID 10.0.0.<n>, peer 10.1.0.<n>.
private func cand(_ n: UInt8, lp: UInt32 = 100, asLen: Int = 1, origin: Origin = .igp, med: UInt32 = 0,
                  nAS: UInt32 = 64513, ext: Bool = false, local: Bool = false, rid: UInt8? = nil,
                  cl: Int = 0, addr: UInt8? = nil, pathID: UInt32 = 0) -> DecisionCandidate {
    DecisionCandidate(localPref: lp, asPathLength: asLen, origin: origin, med: med, neighbourAS: nAS,
                      isExternal: ext, isLocal: local, routerID: IPv4Address(0x0A00_0000 | UInt32(rid ?? n)),
                      clusterListLength: cl,
                      peerAddress: local ? nil : .v4(IPv4Address(0x0A01_0000 | UInt32(addr ?? n))), pathID: pathID)
}

struct DecisionCase: CustomTestStringConvertible, Sendable {
    var name: String
    var candidates: [DecisionCandidate]
    var winner: Int
    var step: DecisionStep
    var testDescription: String { name }
}

private let cases: [DecisionCase] = [
    DecisionCase(name: "single path", candidates: [cand(1)], winner: 0, step: .onlyPath),
    DecisionCase(name: "1 higher LOCAL_PREF beats shorter path", candidates: [cand(1, lp: 100, asLen: 1), cand(2, lp: 200, asLen: 5)],
                 winner: 1, step: .localPref),
    DecisionCase(name: "2 shorter AS_PATH", candidates: [cand(1, asLen: 3), cand(2, asLen: 2, origin: .incomplete)],
                 winner: 1, step: .asPathLength),
    DecisionCase(name: "3 lower ORIGIN", candidates: [cand(1, origin: .egp), cand(2, origin: .igp, med: 99)],
                 winner: 1, step: .origin),
    DecisionCase(name: "4 lower MED, same neighbour AS", candidates: [cand(1, med: 20), cand(2, med: 10, rid: 9)],
                 winner: 1, step: .med),
    DecisionCase(name: "4 MEDs of different neighbour ASes are not compared", candidates: [cand(1, med: 20, nAS: 65001), cand(2, med: 10, nAS: 65002)],
                 winner: 0, step: .routerID),
    DecisionCase(name: "5 eBGP over iBGP", candidates: [cand(1, ext: false), cand(2, ext: true)],
                 winner: 1, step: .externalOverInternal),
    DecisionCase(name: "5 local over iBGP", candidates: [cand(1, asLen: 0), cand(2, asLen: 0, local: true, rid: 200)],
                 winner: 1, step: .externalOverInternal),
    DecisionCase(name: "6 lower router ID", candidates: [cand(1, rid: 7), cand(2, rid: 3)],
                 winner: 1, step: .routerID),
    DecisionCase(name: "7 shorter CLUSTER_LIST", candidates: [cand(1, rid: 5, cl: 2), cand(2, rid: 5, cl: 1)],
                 winner: 1, step: .clusterListLength),
    DecisionCase(name: "8 lower peer address", candidates: [cand(1, rid: 5, addr: 9), cand(2, rid: 5, addr: 4)],
                 winner: 1, step: .peerAddress),
    DecisionCase(name: "8 local preferred on a full tie", candidates: [cand(1, ext: true, rid: 5), cand(2, local: true, rid: 5)],
                 winner: 1, step: .peerAddress),
    DecisionCase(name: "9 same peer, lower path ID", candidates: [cand(1, pathID: 8), cand(1, pathID: 3)],
                 winner: 1, step: .pathID),
    DecisionCase(name: "three paths: LOCAL_PREF decides at once", candidates: [cand(1), cand(2, lp: 300), cand(3, lp: 200)],
                 winner: 1, step: .localPref),
]

@Suite struct DecisionProcessTests {
    @Test(arguments: cases)
    func step(_ c: DecisionCase) {
        let (w, reason) = DecisionProcess.select(c.candidates)
        #expect(w == c.winner)
        #expect(reason.step == c.step)
    }

    @Test(arguments: cases)
    func orderDoesNotMatter(_ c: DecisionCase) {
        let (w, _) = DecisionProcess.select(c.candidates.reversed())
        #expect(c.candidates.count - 1 - w == c.winner)
    }

    /// RFC 4271 §9.1.2.2 c: A loses to B on MED (same AS), C beats B on router ID, A beats C
    /// on router ID (different AS, no MED comparison): pairwise "better" is a cycle. Removing
    /// candidates step by step gives C whatever the order.
    @Test func medNonTransitivity() {
        let a = cand(1, med: 50, nAS: 100, rid: 1)
        let b = cand(2, med: 10, nAS: 100, rid: 3)
        let c = cand(3, med: 0, nAS: 200, rid: 2)
        let orders = [[a, b, c], [a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]]
        for o in orders {
            let (w, reason) = DecisionProcess.select(o)
            #expect(o[w] == c)
            #expect(reason.step == .routerID)
        }
        // The pairwise preferences form a cycle, so no pairwise sort could be right.
        #expect(o(DecisionProcess.select([a, b])) == 1)  // B over A (MED)
        #expect(o(DecisionProcess.select([b, c])) == 1)  // C over B (router ID)
        #expect(o(DecisionProcess.select([a, c])) == 0)  // A over C (router ID)
    }
    private func o(_ r: (winner: Int, reason: DecisionReason)) -> Int { r.winner }

    @Test func reasonText() {
        let (_, r) = DecisionProcess.select([cand(1, med: 20, nAS: 64513), cand(2, med: 10, nAS: 64513)])
        #expect(r.description == "lower MED (same neighbour AS 64513)")
        #expect(DecisionReason(.externalOverInternal).description == "eBGP over iBGP")
        #expect(DecisionReason(.peerAddress, localWon: true).description == "local route preferred on a tie")
    }

    // MARK: Candidates from attributes (defaults of RFC 4271 / RFC 4456)

    private func fromAttrs(_ a: PathAttributes, peer: PeerDescriptor?) -> DecisionCandidate {
        DecisionCandidate(attributes: AttributeSet(RouteAttributes(a)), pathID: 0, peer: peer, config: testConfig)
    }

    @Test func ebgpLocalPrefCountsAs100() {
        let e = fromAttrs(attrs(localPref: 500), peer: ebgpPeer(1, address: "10.0.0.1"))
        let i = fromAttrs(attrs(localPref: 150), peer: ibgpPeer(2, address: "10.0.0.2"))
        let missing = fromAttrs(attrs(localPref: nil), peer: ibgpPeer(3, address: "10.0.0.3"))
        #expect(e.localPref == 100)
        #expect(i.localPref == 150)
        #expect(missing.localPref == 100)
        #expect(DecisionProcess.select([e, i]).winner == 1)
    }

    @Test func asSetCountsOneConfederationZero() {
        let seq = fromAttrs(PathAttributes(origin: .igp, asPath: .sequence([1, 2, 3])), peer: nil)
        let set = fromAttrs(PathAttributes(origin: .igp, asPath: ASPath([ASPathSegment(.sequence, [1]), ASPathSegment(.set, [2, 3, 4, 5])])), peer: nil)
        let confed = fromAttrs(PathAttributes(origin: .igp, asPath: ASPath([ASPathSegment(.confedSequence, [7, 8, 9]), ASPathSegment(.sequence, [1])])), peer: nil)
        #expect(seq.asPathLength == 3)
        #expect(set.asPathLength == 2)
        #expect(confed.asPathLength == 1)
    }

    @Test func missingMEDIsZeroAndEmptyPathNeighbourIsLocalAS() {
        let none = fromAttrs(attrs(med: nil), peer: ibgpPeer(1, address: "10.0.0.1"))
        let five = fromAttrs(attrs(med: 5), peer: ibgpPeer(2, address: "10.0.0.2"))
        #expect(none.med == 0)
        #expect(DecisionProcess.select([five, none]) .winner == 1)
        #expect(DecisionProcess.select([five, none]).reason.step == .med)
        let empty = fromAttrs(PathAttributes(origin: .igp, asPath: ASPath()), peer: ibgpPeer(3, address: "10.0.0.3"))
        #expect(empty.neighbourAS == localAS)
    }

    @Test func originatorIDReplacesRouterID() {
        // Peer 10.0.0.1 reflects a path originated by 10.9.9.9; peer 10.0.0.5 sends its own.
        let reflected = fromAttrs(attrs(originatorID: "10.9.9.9", clusterList: ["10.0.0.1"]), peer: ibgpPeer(1, address: "10.0.0.1"))
        let direct = fromAttrs(attrs(), peer: ibgpPeer(2, address: "10.0.0.5"))
        #expect(reflected.routerID == ip4("10.9.9.9"))
        let (w, r) = DecisionProcess.select([reflected, direct])
        #expect(w == 1)
        #expect(r.step == .routerID)
    }

    @Test func localPathUsesOurRouterID() {
        let local = fromAttrs(PathAttributes(origin: .igp, asPath: ASPath()), peer: nil)
        #expect(local.isLocal)
        #expect(local.routerID == ourRouterID)
        #expect(local.peerAddress == nil)
        #expect(local.localPref == 100)
    }
}
