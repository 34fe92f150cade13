import BGPWire
import Testing
@testable import BGPSession

/// A (10.0.0.1) connects, B (10.0.0.2) is passive, as Calico does for the lower address.
func establishedPair(_ a: SessionConfig = config(), _ b: SessionConfig = config(id: idB, passive: true)) throws -> BackToBack {
    var net = try BackToBack(a, b)
    net.send(.manualStart, to: .b)
    net.send(.manualStart, to: .a)
    return net
}

@Suite("Two machines back to back")
struct BackToBackTests {
    @Test func openExchangeNegotiatesFourOctetASAddPathAndRouteRefresh() throws {
        let a = config(localAS: 4_200_000_001, peerAS: 65002, families: [.ipv4Unicast, .ipv6Unicast],
                       addPath: [.ipv4Unicast: .both])
        let b = config(localAS: 65002, peerAS: 4_200_000_001, id: idB, hold: 90, passive: true,
                       addPath: [.ipv4Unicast: .receive])
        var net = try establishedPair(a, b)

        #expect(net.a.state == .established)
        #expect(net.b.state == .established)
        #expect(net.kinds(of: .a) == [.connect, .send(.open), .send(.keepalive), .established])
        #expect(net.kinds(of: .b) == [.send(.open), .send(.keepalive), .established])

        let caps = try #require(net.a.negotiated)
        #expect(caps.fourOctetAS && caps.routeRefresh && caps.enhancedRouteRefresh)
        #expect(caps.families == [.ipv4Unicast])
        #expect(caps.addPathSend == [.ipv4Unicast] && caps.addPathReceive.isEmpty)
        #expect(caps.holdTime == 9)
        #expect(net.b.negotiated?.addPathReceive == [.ipv4Unicast])
        #expect(net.b.decodeContext.peerIsExternal)
        // B saw A's real AS through AS_TRANS.
        #expect(net.b.peerOpen?.myAS == OpenMessage.asTrans)
        #expect(net.b.peerOpen?.asNumber == 4_200_000_001)
        // The established action carries the same contexts the machine reports.
        let est = net.log.first { $0.side == .b && Kind($0.action) == .established }
        if case .established(_, let open, let dec, let enc)? = est?.action {
            #expect(open.bgpIdentifier == idA)
            #expect(dec == net.b.decodeContext && enc == net.b.encodeContext)
        } else {
            Issue.record("B has no established action")
        }

        // An UPDATE with a path identifier only decodes right with the negotiated contexts.
        net.write(.update(sampleUpdate(pathID: 7)), from: .a)
        let delivered = net.log.last { $0.side == .b }?.action
        guard case .deliverUpdate(let d)? = delivered, case .update(let u) = d.message else {
            Issue.record("B delivered \(String(describing: delivered))")
            return
        }
        #expect(u.nlri.map(\.pathID) == [7])
        // B knows A is external: LOCAL_PREF is discarded (RFC 7606 §7.5), the route kept.
        #expect(d.issues.map(\.action) == [.attributeDiscard])
        #expect(u.attributes.localPref == nil)

        // ROUTE-REFRESH from B reaches A's RIB.
        net.write(.routeRefresh(RouteRefreshMessage(family: .ipv4Unicast)), from: .b)
        #expect(net.log.last.map { Kind($0.action) } == .deliverRouteRefresh)
    }

    @Test func keepalivesEveryThirdOfTheHoldTime() throws {
        var net = try establishedPair()
        net.advance(to: .seconds(30))
        let expected = (1...10).map { Instant.seconds(3 * $0) }
        #expect(net.keepaliveTimes(of: .a).dropFirst() == expected[...])
        #expect(net.keepaliveTimes(of: .b).dropFirst() == expected[...])
        #expect(net.a.state == .established && net.b.state == .established)
        // hold 90 -> every 30 s
        var slow = try establishedPair(config(hold: 90), config(id: idB, hold: 90, passive: true))
        slow.advance(to: .seconds(95))
        #expect(slow.keepaliveTimes(of: .a).dropFirst() == [.seconds(30), .seconds(60), .seconds(90)])
    }

    @Test func holdTimerExpiresWhenThePeerGoesSilent() throws {
        var net = try establishedPair()
        net.advance(to: .seconds(4))
        net.silent = [.b]
        net.advance(to: .seconds(13))
        // B's last KEEPALIVE arrived at 3 s: A gives up at 12 s with 4/0.
        #expect(net.kinds(of: .a, since: .seconds(12)).prefix(3) == [.notify(4, 0), .close, .down])
        #expect(net.kinds(of: .a, since: .seconds(4)).filter { $0 != .send(.keepalive) }.first == .notify(4, 0))
        #expect(net.a.lastError?.at == .seconds(12))
        #expect(net.a.lastError?.notificationSent == notification(4, 0))
        #expect(net.b.lastError?.notificationReceived == notification(4, 0))
        #expect(net.kinds(of: .b).contains(.down))
    }

    struct BadOpen: Sendable, CustomTestStringConvertible {
        var name: String
        var a: SessionConfig
        var b: SessionConfig
        /// (side, code/subcode) of every NOTIFICATION expected.
        var aSends: Kind?
        var bSends: Kind?
        var testDescription: String { name }
    }

    @Test(arguments: [
        BadOpen(name: "wrong AS -> 2/2", a: config(), b: config(peerAS: 65099, id: idB, passive: true),
                aSends: nil, bSends: .notify(2, 2)),
        BadOpen(name: "same ID on iBGP -> 2/3", a: config(), b: config(id: idA, passive: true),
                aSends: .notify(2, 3), bSends: .notify(2, 3)),
        BadOpen(name: "no common family -> 2/7", a: config(families: [.ipv6Unicast]),
                b: config(id: idB, passive: true), aSends: .notify(2, 7), bSends: .notify(2, 7)),
    ])
    func badOpenIsRefused(_ c: BadOpen) throws {
        let net = try establishedPair(c.a, c.b)
        let aNotes = net.kinds(of: .a).filter { if case .notify = $0 { true } else { false } }
        let bNotes = net.kinds(of: .b).filter { if case .notify = $0 { true } else { false } }
        #expect(aNotes == (c.aSends.map { [$0] } ?? []))
        #expect(bNotes == (c.bSends.map { [$0] } ?? []))
        #expect(net.a.state == .idle && net.b.state == .idle)
        #expect(!net.log.contains { Kind($0.action) == .established })
        if c.aSends == nil {
            // A accepted B's OPEN, then learned why from B's NOTIFICATION.
            #expect(net.a.lastError?.notificationReceived?.subcode == 2)
            #expect(net.received.contains { $0.side == .a && $0.message.type == .notification })
        }
    }

    @Test func passiveSideNeverConnects() throws {
        var net = try BackToBack(config(), config(id: idB, passive: true))
        net.send(.manualStart, to: .b)
        net.advance(to: .seconds(1000))
        #expect(net.b.state == .active)
        #expect(net.b.nextDeadline == nil)
        // A comes, then leaves; B backs off in Idle and returns to Active, never connecting.
        net.send(.manualStart, to: .a)
        #expect(net.b.state == .established)
        net.send(.manualStop(nil), to: .a)
        #expect(net.b.state == .idle)
        net.advance(by: .seconds(1000))
        #expect(net.b.state == .active)
        #expect(!net.kinds(of: .b).contains(.connect))
        #expect(net.kinds(of: .a).filter { $0 == .connect }.count == 1)
    }

    @Test func activeSideRetriesQuicklyAfterRefusalsThenEveryConnectRetryTime() throws {
        var net = try BackToBack(config(), config(id: idB, passive: true))
        net.send(.manualStart, to: .a)             // B not started: connection refused
        #expect(net.a.state == .active)
        net.advance(to: .seconds(12))
        // Refused at once: 1 s, 2 s, 4 s, then the connect retry time (5 s).
        let connects = net.log.filter { $0.side == .a && Kind($0.action) == .connect }.map(\.at)
        #expect(connects == [.zero, .seconds(1), .seconds(3), .seconds(7), .seconds(12)])
        net.send(.manualStart, to: .b)
        net.advance(to: .seconds(17))
        #expect(net.a.state == .established && net.b.state == .established)
    }

    @Test func aPeerThatStartsAMomentLaterIsReachedAfterOneSecond() throws {
        var net = try BackToBack(config(), config(id: idB, passive: true))
        net.send(.manualStart, to: .a)             // refused: B listens only 0.3 s later
        net.advance(to: .milliseconds(300))
        net.send(.manualStart, to: .b)
        net.advance(to: .milliseconds(999))
        #expect(net.a.state == .active)
        net.advance(to: .seconds(1))
        #expect(net.a.state == .established && net.b.state == .established)
    }

    @Test func manualStopSendsCeaseAdministrativeShutdown() throws {
        var net = try establishedPair()
        net.advance(to: .seconds(5))
        net.send(.manualStop(nil), to: .a)
        #expect(net.kinds(of: .a, since: .seconds(5)) == [.notify(6, 2), .close, .down])
        #expect(net.kinds(of: .b, since: .seconds(5)) == [.close, .down])
        #expect(net.b.lastError?.notificationReceived == notification(6, 2))
        #expect(net.a.state == .idle && net.a.nextDeadline == nil && !net.a.isEnabled)
        // B was not stopped: it restarts (passive: to Active) after its idle hold time.
        #expect(net.b.timers.idleHold == .seconds(10))
        let down = net.log.first { $0.side == .b && Kind($0.action) == .down }?.action
        if case .sessionDown(_, let sent, let got)? = down {
            #expect(sent == nil && got == notification(6, 2))
        } else {
            Issue.record("B reported no sessionDown")
        }
    }

    @Test func sendHoldTimerSendsEightZero() throws {
        let a = config(hold: 90, sendHold: .seconds(20))
        var net = try establishedPair(a, config(id: idB, hold: 90, passive: true))
        net.send(.writeBlocked, to: .a)             // at 0 s
        net.advance(to: .seconds(19))
        #expect(net.a.state == .established)
        net.send(.writeBlocked, to: .a)             // still blocked: does not restart the timer
        net.advance(to: .seconds(21))
        #expect(net.kinds(of: .a, since: .seconds(20)) == [.notify(8, 0), .close, .down])
        #expect(net.log.first { $0.side == .a && Kind($0.action) == .notify(8, 0) }?.at == .seconds(20))
        #expect(net.b.lastError?.notificationReceived == notification(8, 0))
    }

    @Test func writeProgressRestartsAndDrainStopsTheSendHoldTimer() throws {
        let a = config(hold: 90, sendHold: .seconds(20))
        var net = try establishedPair(a, config(id: idB, hold: 90, passive: true))
        net.send(.writeBlocked, to: .a)
        net.advance(to: .seconds(15))
        net.send(.writeProgress(drained: false), to: .a)
        net.advance(to: .seconds(34))
        #expect(net.a.state == .established)
        #expect(net.a.timers.sendHold == .seconds(35))
        net.send(.writeProgress(drained: true), to: .a)
        #expect(net.a.timers.sendHold == nil)
        net.advance(to: .seconds(200))
        #expect(net.a.state == .established && net.b.state == .established)
    }
}
