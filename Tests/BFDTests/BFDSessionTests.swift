import Testing
@testable import BFD

/// One session, recorded events in, expected actions out (RFC 5880 §6.8).
@Suite struct BFDSessionTests {
    // MARK: §6.8.3 / §6.8.7 transmission

    @Test func downTransmitsOncePerSecond() {
        var s = BFDSession(config: config(tx: ms(50), rx: ms(50)), now: .zero)
        #expect(s.nextDeadline == .zero)
        let first = s.advance(to: .zero).sent
        #expect(first.count == 1)
        #expect(first[0].state == .down && first[0].yourDiscriminator == 0 && first[0].myDiscriminator == 1)
        // §6.8.3: not Up, bfd.DesiredMinTxInterval is at least 1 s, and is advertised so.
        #expect(first[0].desiredMinTxInterval == 1_000_000 && first[0].requiredMinRxInterval == ms(50))
        #expect(s.nextDeadline == at(1_000))
        #expect(s.advance(to: at(999)).isEmpty)
        #expect(s.advance(to: at(1_000)).sent.count == 1)
        #expect(s.nextDeadline == at(2_000))
    }

    @Test func jitterReducesBy0To25PercentDeterministically() {
        func deadlines(seed: UInt64, mult: UInt8) -> [UInt64] {
            var s = BFDSession(config: config(mult: mult, jitter: .seeded(seed)), now: .zero)
            var out: [UInt64] = []
            var t = BFDInstant.zero
            for _ in 0..<200 {
                _ = s.advance(to: t)
                let next = s.nextDeadline!
                out.append((next.nanoseconds - t.nanoseconds) / 1_000)
                t = next
            }
            return out
        }
        let a = deadlines(seed: 42, mult: 3)
        #expect(a == deadlines(seed: 42, mult: 3))
        #expect(a != deadlines(seed: 43, mult: 3))
        #expect(a.allSatisfy { $0 >= 750_000 && $0 <= 1_000_000 })
        #expect(Set(a).count > 50)
        // §6.8.7: Detect Mult 1 -> between 75% and 90%.
        #expect(deadlines(seed: 7, mult: 1).allSatisfy { $0 >= 750_000 && $0 <= 900_000 })
        var none = BFDJitter.none
        #expect(none.apply(to: 1_000_000, detectMult: 3) == 1_000_000)
        #expect(none.apply(to: 1_000_000, detectMult: 1) == 900_000)
    }

    @Test func intervalIsTheGreaterOfOurTxAndTheirRx() {
        var s = upSession(config(tx: ms(100), rx: ms(100)), peerRx: ms(400))
        #expect(s.transmitInterval == ms(400))
        _ = s.handle(.received(peer(.up, rx: ms(20))), now: at(10))
        #expect(s.transmitInterval == ms(100))
    }

    @Test func remoteRequiredMinRxZeroStopsPeriodicTransmission() {
        var s = upSession(config())
        _ = s.handle(.received(peer(.up, rx: 0)), now: at(10))
        #expect(s.transmitDeadline == nil)
        let none = s.advance(to: at(5_000)).sent
        #expect(none.isEmpty)
        // A Poll is still answered (§6.8.7: "without respect to ... any other transmission limitations").
        let reply = s.handle(.received(peer(.up, rx: 0, poll: true)), now: at(20))
        #expect(reply.sent.count == 1 && reply.sent[0].final && !reply.sent[0].poll)
    }

    @Test func remoteDemandModeWhileBothUpStopsPeriodicTransmission() {
        var s = upSession(config())
        var demand = peer(.up)
        demand.demand = true
        _ = s.handle(.received(demand), now: at(10))
        #expect(s.transmitDeadline == nil)
        // §6.8.6: Demand mode ends when the peer clears D; periodic packets resume at once.
        _ = s.handle(.received(peer(.up)), now: at(20))
        #expect(s.transmitDeadline == at(20))
        #expect(s.advance(to: at(20)).sent.count == 1)
    }

    @Test func passiveWaitsForThePeer() {
        var s = BFDSession(config: config(passive: true), now: .zero)
        #expect(s.nextDeadline == nil)
        let out = s.handle(.received(peer(.down, your: 0)), now: at(5))
        #expect(out.changes == [.stateChanged(from: .down, to: .`init`, diagnostic: .none)])
        #expect(out.sent.count == 1 && out.sent[0].state == .`init` && out.sent[0].yourDiscriminator == 9)
    }

    // MARK: §6.8.6 state machine

    @Test func stateTable() {
        // (our state reached by setup, received state, expected new state, diagnostic)
        var s = BFDSession(config: config(), now: .zero)
        #expect(s.handle(.received(peer(.down, your: 0)), now: at(1)).changes
                == [.stateChanged(from: .down, to: .`init`, diagnostic: .none)])
        // Init + Down: stays Init.
        #expect(s.handle(.received(peer(.down)), now: at(2)).changes.isEmpty)
        #expect(s.handle(.received(peer(.up)), now: at(3)).changes
                == [.stateChanged(from: .`init`, to: .up, diagnostic: .none)])
        // Up + Init / Up: stays Up.
        #expect(s.handle(.received(peer(.`init`)), now: at(4)).changes.isEmpty)
        #expect(s.handle(.received(peer(.up)), now: at(5)).changes.isEmpty)
        // Up + Down: Down, diag 3.
        #expect(s.handle(.received(peer(.down)), now: at(6)).changes
                == [.stateChanged(from: .up, to: .down, diagnostic: .neighborSignaledSessionDown)])
        // Down + Up: stays Down (the peer must see us Down first).
        #expect(s.handle(.received(peer(.up)), now: at(7)).changes.isEmpty)
        // Down + Init: Up.
        #expect(s.handle(.received(peer(.`init`)), now: at(8)).changes
                == [.stateChanged(from: .down, to: .up, diagnostic: .none)])
        // Up + AdminDown: Down, diag 3.
        let out = s.handle(.received(peer(.adminDown, diagnostic: .administrativelyDown)), now: at(9))
        #expect(out.changes == [.stateChanged(from: .up, to: .down, diagnostic: .neighborSignaledSessionDown)])
        #expect(out.sent.last?.state == .down && out.sent.last?.diagnostic == .neighborSignaledSessionDown)
        // Down + AdminDown: stays Down.
        #expect(s.handle(.received(peer(.adminDown)), now: at(10)).changes.isEmpty)
    }

    @Test func initPlusAdminDownGoesDown() {
        var s = BFDSession(config: config(), now: .zero)
        _ = s.handle(.received(peer(.down, your: 0)), now: at(1))
        #expect(s.handle(.received(peer(.adminDown)), now: at(2)).changes
                == [.stateChanged(from: .`init`, to: .down, diagnostic: .neighborSignaledSessionDown)])
    }

    @Test func discriminatorMismatchIsDiscarded() {
        var s = BFDSession(config: config(discriminator: 1), now: .zero)
        let out = s.handle(.received(peer(.`init`, your: 999, my: 5)), now: at(1))
        #expect(out == [.discarded(.yourDiscriminatorMismatch(received: 999, local: 1))])
        #expect(s.state == .down && s.remoteDiscriminator == 0 && s.detectionDeadline == nil)
        // Your Discriminator 0 (peer has not learned ours) is accepted.
        _ = s.handle(.received(peer(.down, your: 0, my: 5)), now: at(2))
        #expect(s.state == .`init` && s.remoteDiscriminator == 5)
    }

    @Test func authenticatedPacketDiscardedWithoutAuthentication() {
        var s = BFDSession(config: config(), now: .zero)
        var p = peer(.down, your: 0)
        p.authentication = BFDAuthentication(type: .keyedSHA1, keyID: 1, sequenceNumber: 1, digest: Array(repeating: 0, count: 20))
        #expect(s.handle(.received(p), now: at(1)) == [.discarded(.authenticationNotInUse)])
        #expect(s.state == .down)
    }

    // MARK: §6.8.16 AdminDown

    @Test func adminDownAndUp() {
        var s = upSession(config())
        let out = s.handle(.adminDown, now: at(10))
        #expect(out.changes == [.stateChanged(from: .up, to: .adminDown, diagnostic: .administrativelyDown)])
        #expect(out.sent.count == 1 && out.sent[0].state == .adminDown && out.sent[0].diagnostic == .administrativelyDown)
        #expect(s.desiredMinTxInterval == 1_000_000)
        // §6.8.6: received packets are discarded, the state does not move.
        #expect(s.handle(.received(peer(.`init`)), now: at(20)) == [.discarded(.adminDown)])
        #expect(s.state == .adminDown)
        #expect(s.handle(.adminDown, now: at(30)).isEmpty)
        let up = s.handle(.adminUp, now: at(40))
        #expect(up.changes == [.stateChanged(from: .adminDown, to: .down, diagnostic: .administrativelyDown)])
        #expect(s.handle(.received(peer(.`init`)), now: at(50)).changes
                == [.stateChanged(from: .down, to: .up, diagnostic: .none)])
    }

    // MARK: §6.8.4 Detection Time

    @Test func detectionTimeUsesThePeersAdvertisedTxAndMult() {
        // We require 100 ms RX and use mult 5; the peer advertises 300 ms TX and mult 3.
        var s = BFDSession(config: config(tx: ms(100), rx: ms(100), mult: 5), now: .zero)
        _ = s.handle(.received(peer(.`init`, tx: ms(300), rx: ms(100), mult: 3)), now: at(0))
        #expect(s.state == .up)
        #expect(s.detectionTime == 900_000)
        #expect(s.detectionDeadline == at(900))
        // A peer that transmits faster than we can receive: our 100 ms wins, × its mult 2.
        _ = s.handle(.received(peer(.up, tx: ms(10), mult: 2)), now: at(100))
        #expect(s.detectionTime == 200_000)
        #expect(s.detectionDeadline == at(300))
    }

    @Test func detectionExpiryGoesDownWithDiag1() {
        var s = BFDSession(config: config(tx: ms(100), rx: ms(100)), now: .zero)
        _ = s.handle(.received(peer(.`init`, tx: ms(300), mult: 3)), now: at(0))
        _ = s.handle(.received(peer(.up, tx: ms(300), mult: 3)), now: at(250))
        #expect(s.detectionDeadline == at(1_150))
        #expect(s.advance(to: at(1_149)).changes.isEmpty)
        let out = s.advance(to: at(1_150))
        #expect(out.changes == [.stateChanged(from: .up, to: .down, diagnostic: .controlDetectionTimeExpired)])
        #expect(out.sent.count == 1)
        #expect(out.sent[0].state == .down && out.sent[0].diagnostic == .controlDetectionTimeExpired)
        // §6.8.1: bfd.RemoteDiscr is zeroed; back to the 1 s rate.
        #expect(out.sent[0].yourDiscriminator == 0 && s.remoteDiscriminator == 0)
        #expect(out.sent[0].desiredMinTxInterval == 1_000_000)
        #expect(s.detectionDeadline == nil)
    }

    @Test func detectionInInitAlsoGoesDown() {
        var s = BFDSession(config: config(), now: .zero)
        _ = s.handle(.received(peer(.down, your: 0, tx: ms(1_000), mult: 3)), now: at(0))
        #expect(s.state == .`init` && s.detectionDeadline == at(3_000))
        #expect(s.advance(to: at(3_000)).changes == [.stateChanged(from: .`init`, to: .down, diagnostic: .controlDetectionTimeExpired)])
    }

    // MARK: §6.5 / §6.8.3 Poll Sequence

    @Test func pollIsAnsweredAtOnceWithFinal() {
        var s = upSession(config())
        let out = s.handle(.received(peer(.up, poll: true)), now: at(10))
        #expect(out.sent.count == 1)
        let f = out.sent[0]
        #expect(f.final && !f.poll && f.state == .up && f.yourDiscriminator == 9)
        #expect(out.changes.isEmpty)
    }

    @Test func configChangeWhileUpRunsAPollSequence() {
        var s = upSession(config(tx: ms(300), rx: ms(300)), peerTx: ms(50), peerRx: ms(50))
        // Settle the Poll from going Up (1 s -> 300 ms).
        _ = s.handle(.received(peer(.up, tx: ms(50), rx: ms(50), final: true)), now: at(1))
        #expect(!s.pollActive && s.detectionTime == 900_000)

        // Slower TX, faster RX.
        let out = s.handle(.configChanged(desiredMinTxInterval: ms(600), requiredMinRxInterval: ms(100), detectMultiplier: 3), now: at(10))
        #expect(out.sent.count == 1)
        let p = out.sent[0]
        #expect(p.poll && !p.final && p.desiredMinTxInterval == ms(600) && p.requiredMinRxInterval == ms(100))
        #expect(s.pollActive)
        // §6.8.3: the increased TX and the reduced RX wait for the end of the Poll Sequence.
        #expect(s.desiredMinTxInUse == ms(300) && s.transmitInterval == ms(300))
        #expect(s.requiredMinRxInUse == ms(300) && s.detectionTime == 900_000)
        // Periodic packets carry P until the Final.
        let during = s.advance(to: at(310)).sent
        #expect(!during.isEmpty && during.allSatisfy { $0.poll })
        // A packet without F changes nothing.
        _ = s.handle(.received(peer(.up, tx: ms(50), rx: ms(50))), now: at(320))
        #expect(s.pollActive)

        let done = s.handle(.received(peer(.up, tx: ms(50), rx: ms(50), final: true)), now: at(330))
        #expect(done.isEmpty)
        #expect(!s.pollActive)
        #expect(s.desiredMinTxInUse == ms(600) && s.transmitInterval == ms(600))
        #expect(s.requiredMinRxInUse == ms(100) && s.detectionTime == 300_000)
        #expect(s.detectionDeadline == at(630))
        // The next periodic packet has no P.
        let next = s.advance(to: s.transmitDeadline!).sent
        #expect(next.count == 1 && !next[0].poll)
    }

    @Test func fasterTxAndSlowerRxTakeEffectAtOnce() {
        var s = upSession(config(tx: ms(300), rx: ms(300)), peerTx: ms(50), peerRx: ms(50))
        _ = s.handle(.received(peer(.up, tx: ms(50), rx: ms(50), final: true)), now: at(1))
        _ = s.handle(.configChanged(desiredMinTxInterval: ms(100), requiredMinRxInterval: ms(500), detectMultiplier: 3), now: at(10))
        #expect(s.pollActive)
        #expect(s.desiredMinTxInUse == ms(100) && s.requiredMinRxInUse == ms(500))
        #expect(s.detectionTime == 1_500_000)
    }

    @Test func configChangeWhileDownNeedsNoPoll() {
        var s = BFDSession(config: config(), now: .zero)
        _ = s.advance(to: .zero)
        let out = s.handle(.configChanged(desiredMinTxInterval: ms(2_000), requiredMinRxInterval: ms(200), detectMultiplier: 4), now: at(10))
        #expect(out.isEmpty && !s.pollActive)
        #expect(s.desiredMinTxInterval == ms(2_000) && s.requiredMinRxInterval == ms(200))
        let p = s.advance(to: at(1_000)).sent
        #expect(p.count == 1 && !p[0].poll && p[0].detectMult == 4 && p[0].desiredMinTxInterval == ms(2_000))
        #expect(s.nextDeadline == at(3_000))
    }
}
