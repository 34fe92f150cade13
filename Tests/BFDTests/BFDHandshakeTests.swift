import Testing
@testable import BFD

/// Two sessions wired together (RFC 5880 §6.2 three-way handshake, §6.5 Poll after Up,
/// §6.8.16 AdminDown seen by the peer, §6.8.4 loss of the peer).
@Suite struct BFDHandshakeTests {
    @Test func threeWayHandshakeDownInitUp() {
        var pair = BFDPair(config(discriminator: 1), config(discriminator: 2))
        pair.run(until: at(0))
        for side in [BFDPair.Side.a, .b] {
            #expect(pair.actions(side).changes == [
                .stateChanged(from: .down, to: .`init`, diagnostic: .none),
                .stateChanged(from: .`init`, to: .up, diagnostic: .none),
            ])
        }
        #expect(pair.a.state == .up && pair.b.state == .up)
        #expect(pair.a.remoteDiscriminator == 2 && pair.b.remoteDiscriminator == 1)
        // The first packets: Down with Your Discriminator 0 (§6.8.7), then Init naming the peer.
        let firstA = pair.actions(.a).sent
        #expect(firstA[0].state == .down && firstA[0].yourDiscriminator == 0)
        #expect(firstA[1].state == .`init` && firstA[1].yourDiscriminator == 2)
    }

    @Test func goingUpPollsTheFasterIntervalAndSettles() {
        var pair = BFDPair(config(discriminator: 1), config(discriminator: 2))
        pair.run(until: at(0))
        // Up lowers bfd.DesiredMinTxInterval from 1 s to 300 ms: a Poll Sequence (§6.8.3).
        let polls = pair.actions(.a).sent.filter { $0.poll }
        #expect(!polls.isEmpty && polls.allSatisfy { $0.desiredMinTxInterval == ms(300) && !$0.final })
        #expect(pair.actions(.b).sent.contains { $0.final && !$0.poll })
        #expect(!pair.a.pollActive && !pair.b.pollActive)
        #expect(pair.a.desiredMinTxInUse == ms(300) && pair.a.transmitInterval == ms(300))
        // Then periodic packets every 300 ms (no jitter), both Up, no more state changes.
        let start = pair.log.count
        pair.run(until: at(3_000))
        let sendsA = pair.log[start...].filter { $0.side == .a }.compactMap { e -> BFDInstant? in
            if case .send = e.action { e.at } else { nil }
        }
        #expect(sendsA.count == 10)
        #expect(zip(sendsA, sendsA.dropFirst()).allSatisfy { $1.nanoseconds - $0.nanoseconds == 300_000_000 })
        #expect(pair.log[start...].allSatisfy { if case .stateChanged = $0.action { false } else { true } })
        #expect(pair.a.state == .up && pair.b.state == .up)
    }

    @Test func adminDownTakesThePeerDownWithDiag3() {
        var pair = BFDPair(config(discriminator: 1), config(discriminator: 2))
        pair.run(until: at(1_000))
        let start = pair.log.count
        pair.inject(.a, .adminDown)
        let after = pair.log[start...]
        #expect(after.contains { $0.side == .a && $0.action == .stateChanged(from: .up, to: .adminDown, diagnostic: .administrativelyDown) })
        #expect(after.contains { $0.side == .b && $0.action == .stateChanged(from: .up, to: .down, diagnostic: .neighborSignaledSessionDown) })
        // B stays Down while A is AdminDown; A discards what B sends.
        pair.run(until: at(10_000))
        #expect(pair.a.state == .adminDown && pair.b.state == .down)
        #expect(pair.actions(.a).contains(.discarded(.adminDown)))
        // Enabled again, the handshake runs again.
        pair.inject(.a, .adminUp)
        pair.run(until: at(12_000))
        #expect(pair.a.state == .up && pair.b.state == .up)
    }

    @Test func silentPeerExpiresDetectionTime() {
        var pair = BFDPair(config(discriminator: 1), config(discriminator: 2))
        pair.run(until: at(1_000))
        pair.dropFrom = [.b]
        let start = pair.log.count
        pair.run(until: at(5_000))
        let down = pair.log[start...].first { $0.side == .a && $0.action == .stateChanged(from: .up, to: .down, diagnostic: .controlDetectionTimeExpired) }
        // B's last packet reached A at 900 ms or later; 3 × 300 ms after it, A goes Down.
        #expect(down != nil)
        if let d = down { #expect(d.at > at(1_000) && d.at <= at(1_900)) }
        #expect(pair.a.remoteDiscriminator == 0)
    }
}
