import IPCore
import BGPWire
import Testing
@testable import BGPSession

/// Two speakers, each a `Peer` driver as documented on ``CollisionResolver``: up to two
/// connections per peer, each with its own machine, in-memory TCP, the real codec.
struct CollisionNet {
    struct Slot {
        var machine: SessionMachine
        var origin: ConnectionOrigin?
        var conn: Int?
    }
    struct Speaker {
        var config: SessionConfig
        var slots: [Int: Slot] = [:]
        var mainID = 0
    }
    enum Item { case incoming(Int), confirmed, bytes([UInt8]), fin }

    var speakers: [Speaker]
    var endpoints: [Int: [(speaker: Int, slot: Int)]] = [:]
    var queue: [(speaker: Int, slot: Int, item: Item)] = []
    var nextID = 1
    var log: [(speaker: Int, slot: Int, conn: Int?, action: SessionAction)] = []
    var initiator: [Int: Int] = [:]   // connection -> speaker that connected

    init(_ x: SessionConfig, _ y: SessionConfig) throws {
        speakers = [Speaker(config: x), Speaker(config: y)]
        for s in 0..<2 {
            speakers[s].slots[0] = Slot(machine: try SessionMachine(config: speakers[s].config))
        }
    }

    mutating func start(_ s: Int) {
        handle(.manualStart, speaker: s, slot: speakers[s].mainID)
    }

    mutating func run() {
        while !queue.isEmpty {
            let (s, id, item) = queue.removeFirst()
            switch item {
            case .incoming(let conn): incoming(conn, at: s)
            case .confirmed: handle(.tcpConnectionConfirmed, speaker: s, slot: id)
            case .fin:
                if let slot = speakers[s].slots[id], slot.machine.state.hasConnection {
                    handle(.tcpConnectionFails, speaker: s, slot: id)
                }
            case .bytes(let bytes):
                guard let slot = speakers[s].slots[id] else { continue }   // discarded machine
                let event: SessionEvent
                do { event = .received(try BGPMessage.decode(bytes: bytes, context: slot.machine.decodeContext)) }
                catch { event = .decodeFailed(error) }
                if case .bgpOpen(let open) = event { receiveOpen(open, speaker: s, slot: id) }
                else { handle(event, speaker: s, slot: id) }
            }
        }
    }

    /// The driver's collision check before an OPEN reaches a machine.
    mutating func receiveOpen(_ open: OpenMessage, speaker s: Int, slot id: Int) {
        guard let otherID = speakers[s].slots.keys.first(where: { $0 != id }),
              let other = speakers[s].slots[otherID], let me = speakers[s].slots[id],
              let myOrigin = me.origin else {
            handle(.bgpOpen(open), speaker: s, slot: id)
            return
        }
        let cfg = speakers[s].config
        let decision = CollisionResolver.decide(
            localID: cfg.localID, localAS: cfg.localAS, remoteID: open.bgpIdentifier, remoteAS: open.asNumber,
            existing: other.origin ?? .local, existingState: other.machine.state, new: myOrigin)
        switch decision {
        case .closeNew:
            handle(.openCollisionDump, speaker: s, slot: id)
        case .closeExisting:
            handle(.openCollisionDump, speaker: s, slot: otherID)
            handle(.bgpOpen(open), speaker: s, slot: id)
        case .noCollision:
            if let c = other.conn { close(c, from: s, slot: otherID) }
            discard(otherID, at: s)
            handle(.bgpOpen(open), speaker: s, slot: id)
        }
    }

    mutating func incoming(_ conn: Int, at s: Int) {
        guard let from = endpoints[conn]?.first else { return }
        let main = speakers[s].mainID
        let target: Int
        switch speakers[s].slots[main]?.machine.state {
        case .active?:
            target = main
        case .idle?, nil:
            queue.append((from.speaker, from.slot, .fin))
            handle(.tcpConnectionFails, speaker: from.speaker, slot: from.slot)
            return
        default:
            var cfg = speakers[s].config
            cfg.passive = true
            guard var m = try? SessionMachine(config: cfg) else { return }
            _ = m.handle(.manualStart, now: .zero)
            target = nextID
            nextID += 1
            speakers[s].slots[target] = Slot(machine: m)
        }
        speakers[s].slots[target]?.conn = conn
        speakers[s].slots[target]?.origin = .remote
        endpoints[conn]?.append((s, target))
        handle(.tcpConnectionConfirmed, speaker: from.speaker, slot: from.slot)
        handle(.tcpConnectionAccepted, speaker: s, slot: target)
    }

    mutating func handle(_ event: SessionEvent, speaker s: Int, slot id: Int) {
        guard var slot = speakers[s].slots[id] else { return }
        let actions = slot.machine.handle(event, now: .zero)
        speakers[s].slots[id] = slot
        for action in actions {
            log.append((s, id, speakers[s].slots[id]?.conn, action))
            switch action {
            case .connect:
                let conn = nextID
                nextID += 1
                endpoints[conn] = [(s, id)]
                initiator[conn] = s
                speakers[s].slots[id]?.conn = conn
                speakers[s].slots[id]?.origin = .local
                queue.append((1 - s, -1, .incoming(conn)))
            case .send(let m):
                guard let c = speakers[s].slots[id]?.conn,
                      let peer = endpoints[c]?.first(where: { $0.speaker != s }) else { continue }
                let ctx = speakers[s].slots[id]?.machine.encodeContext ?? .initial
                queue.append((peer.speaker, peer.slot, .bytes(m.encoded(context: ctx))))
            case .closeConnection:
                if let c = speakers[s].slots[id]?.conn { close(c, from: s, slot: id) }
            case .established, .deliverUpdate, .deliverRouteRefresh, .sessionDown:
                break
            }
        }
        // A second machine that fell back to Idle is discarded; a lost main one is
        // replaced by the surviving second machine.
        if speakers[s].slots[id]?.machine.state == .idle, speakers[s].slots.count > 1 { discard(id, at: s) }
    }

    mutating func close(_ conn: Int, from s: Int, slot id: Int) {
        speakers[s].slots[id]?.conn = nil
        if let peer = endpoints[conn]?.first(where: { $0.speaker != s }) { queue.append((peer.speaker, peer.slot, .fin)) }
        endpoints[conn] = []
    }

    mutating func discard(_ id: Int, at s: Int) {
        speakers[s].slots[id] = nil
        if speakers[s].mainID == id, let survivor = speakers[s].slots.keys.first { speakers[s].mainID = survivor }
    }

    /// The connection each speaker's established machine runs on.
    func establishedConnections(_ s: Int) -> [Int] {
        log.filter { $0.speaker == s && Kind($0.action) == .established }.compactMap(\.conn)
    }

    func cease7Count(_ s: Int) -> Int { log.filter { $0.speaker == s && Kind($0.action) == .notify(6, 7) }.count }
}

@Suite("Connection collisions (RFC 4271 §6.8)")
struct CollisionTests {
    @Test(arguments: [(idA, idB), (idB, idA)])
    func higherIdentifierKeepsItsOutgoingConnection(xID: IPv4Address, yID: IPv4Address) throws {
        var net = try CollisionNet(config(id: xID), config(id: yID))
        net.start(0)
        net.start(1)
        net.run()
        let x = net.establishedConnections(0)
        let y = net.establishedConnections(1)
        #expect(x.count == 1 && x == y, "one shared connection is Established: \(x) \(y)")
        let winner = xID > yID ? 0 : 1
        #expect(x.first.flatMap { net.initiator[$0] } == winner)
        #expect(net.cease7Count(0) + net.cease7Count(1) >= 1)
        for s in 0..<2 {
            #expect(net.speakers[s].slots.count == 1)
            #expect(net.speakers[s].slots[net.speakers[s].mainID]?.machine.state == .established)
        }
        // The loser closed with Cease 7, not with any error NOTIFICATION.
        #expect(!net.log.contains { if case .notify(let c, _) = Kind($0.action) { c != 6 } else { false } })
    }

    @Test func newConnectionToAnEstablishedPeerIsClosedWithCease7() throws {
        var net = try CollisionNet(config(id: idB), config(id: idA, passive: true))
        net.start(1)
        net.start(0)
        net.run()
        let first = net.establishedConnections(0)
        #expect(first.count == 1)
        // The peer (speaker 0) opens another connection anyway, e.g. after a restart it missed.
        var extra = try SessionMachine(config: config(id: idB))
        _ = extra.handle(.manualStart, now: .zero)
        net.speakers[0].slots[99] = .init(machine: extra)
        net.handle(.automaticStart, speaker: 0, slot: 99)     // no-op in Connect
        net.endpoints[500] = [(0, 99)]
        net.initiator[500] = 0
        net.speakers[0].slots[99]?.conn = 500
        net.speakers[0].slots[99]?.origin = .local
        net.queue.append((1, -1, .incoming(500)))
        net.run()
        // Speaker 1 (higher ID would keep its own, but its session is Established): new one closed.
        #expect(net.log.contains { $0.speaker == 1 && $0.conn == 500 && Kind($0.action) == .notify(6, 7) })
        #expect(net.establishedConnections(1) == first)
        let main1 = net.speakers[1].slots[net.speakers[1].mainID]
        #expect(main1?.machine.state == .established && main1?.conn == first.first)
    }

    @Test func decisionTable() {
        func d(_ local: IPv4Address, _ remote: IPv4Address, _ existing: ConnectionOrigin, _ state: SessionState,
               _ new: ConnectionOrigin, localAS: UInt32 = 65001, remoteAS: UInt32 = 65001) -> CollisionResolver.Decision {
            CollisionResolver.decide(localID: local, localAS: localAS, remoteID: remote, remoteAS: remoteAS,
                                     existing: existing, existingState: state, new: new)
        }
        // Lower local ID: keep the connection the peer initiated.
        #expect(d(idA, idB, .local, .openConfirm, .remote) == .closeExisting)
        #expect(d(idA, idB, .remote, .openConfirm, .local) == .closeNew)
        // Higher local ID: keep ours.
        #expect(d(idB, idA, .local, .openConfirm, .remote) == .closeNew)
        #expect(d(idB, idA, .remote, .openSent, .local) == .closeExisting)
        // Established wins; Idle/Connect/Active are no collision.
        #expect(d(idB, idA, .remote, .established, .local) == .closeNew)
        for s in [SessionState.idle, .connect, .active] { #expect(d(idA, idB, .local, s, .remote) == .noCollision) }
        // Equal IDs (eBGP, RFC 6286 §2.3): the larger AS keeps the connection it initiated.
        #expect(CollisionResolver.survivor(localID: idA, localAS: 65002, remoteID: idA, remoteAS: 65001) == .local)
        #expect(CollisionResolver.survivor(localID: idA, localAS: 65001, remoteID: idA, remoteAS: 65002) == .remote)
    }
}
