import IPCore
import BGPWire
import Testing
@testable import BGPSession

/// One rule-table row: in `state`, `event` gives actions of `kinds` and leads to `next`.
struct Row: Sendable, CustomTestStringConvertible {
    var state: SessionState
    var event: SessionEvent
    var kinds: [Kind]
    var next: SessionState
    var passive = false
    var note = ""

    var testDescription: String {
        "\(state) + \(note.isEmpty ? String("\(event)".prefix(40)) : note) -> \(kinds) \(next)"
    }
}

let headerError = MessageError.header(.badMessageLength, data: [0, 18], reason: "length 18")
let holdError = MessageError.open(NotificationCode.Open.unacceptableHoldTime, reason: "hold 2")
let attrListError = MessageError.update(NotificationCode.Update.malformedAttributeList, reason: "overrun")
let treatAsWithdraw = DecodedMessage(.update(sampleUpdate()),
                                     issues: [UpdateIssue(.treatAsWithdraw, attributeCode: 4, reason: "MED length 3")])
let plainUpdate = DecodedMessage(.update(sampleUpdate()))

let rows: [Row] = [
    // Idle
    Row(state: .idle, event: .manualStart, kinds: [.connect], next: .connect),
    Row(state: .idle, event: .manualStart, kinds: [], next: .active, passive: true, note: "manualStart passive"),
    Row(state: .idle, event: .automaticStart, kinds: [.connect], next: .connect),
    Row(state: .idle, event: .idleHoldTimerExpires, kinds: [.connect], next: .connect),
    Row(state: .idle, event: .manualStop(nil), kinds: [], next: .idle),
    Row(state: .idle, event: .tcpConnectionAccepted, kinds: [.close], next: .idle),
    Row(state: .idle, event: .keepAliveMsg, kinds: [], next: .idle),
    Row(state: .idle, event: .bgpOpen(peerOpen()), kinds: [], next: .idle, note: "OPEN"),
    // Connect
    Row(state: .connect, event: .manualStart, kinds: [], next: .connect),
    Row(state: .connect, event: .manualStop(nil), kinds: [.close], next: .idle),
    Row(state: .connect, event: .connectRetryTimerExpires, kinds: [.close, .connect], next: .connect),
    Row(state: .connect, event: .tcpConnectionConfirmed, kinds: [.send(.open)], next: .openSent),
    Row(state: .connect, event: .tcpConnectionAccepted, kinds: [.send(.open)], next: .openSent),
    Row(state: .connect, event: .tcpConnectionFails, kinds: [], next: .active),
    Row(state: .connect, event: .keepAliveMsg, kinds: [.close], next: .idle),
    Row(state: .connect, event: .holdTimerExpires, kinds: [.close], next: .idle),
    // Active
    Row(state: .active, event: .connectRetryTimerExpires, kinds: [.connect], next: .connect),
    Row(state: .active, event: .connectRetryTimerExpires, kinds: [], next: .active, passive: true, note: "retry expiry, passive"),
    Row(state: .active, event: .tcpConnectionAccepted, kinds: [.send(.open)], next: .openSent),
    Row(state: .active, event: .tcpConnectionAccepted, kinds: [.send(.open)], next: .openSent, passive: true, note: "accepted, passive"),
    Row(state: .active, event: .tcpConnectionFails, kinds: [], next: .active),
    Row(state: .active, event: .manualStop(nil), kinds: [], next: .idle),
    Row(state: .active, event: .manualStart, kinds: [], next: .active),
    Row(state: .active, event: .updateMsg(plainUpdate), kinds: [], next: .idle, note: "UPDATE"),
    // OpenSent
    Row(state: .openSent, event: .bgpOpen(peerOpen()), kinds: [.send(.keepalive)], next: .openConfirm, note: "good OPEN"),
    Row(state: .openSent, event: .bgpOpen(peerOpen(asNumber: 65002)), kinds: [.notify(2, 2), .close], next: .idle, note: "OPEN wrong AS"),
    Row(state: .openSent, event: .bgpOpen(peerOpen(id: idA)), kinds: [.notify(2, 3), .close], next: .idle, note: "OPEN with our ID"),
    Row(state: .openSent, event: .bgpOpen(peerOpen(families: [.ipv6Unicast])), kinds: [.notify(2, 7), .close], next: .idle, note: "OPEN ipv6 only"),
    Row(state: .openSent, event: .holdTimerExpires, kinds: [.notify(4, 0), .close], next: .idle),
    Row(state: .openSent, event: .keepAliveMsg, kinds: [.notify(5, 1), .close], next: .idle),
    Row(state: .openSent, event: .updateMsg(plainUpdate), kinds: [.notify(5, 1), .close], next: .idle, note: "UPDATE"),
    Row(state: .openSent, event: .routeRefreshMsg(RouteRefreshMessage(family: .ipv4Unicast)), kinds: [.notify(5, 1), .close], next: .idle),
    Row(state: .openSent, event: .notifMsg(notification(6, 2)), kinds: [.close], next: .idle),
    Row(state: .openSent, event: .tcpConnectionFails, kinds: [.close], next: .active),
    Row(state: .openSent, event: .bgpHeaderErr(headerError), kinds: [.notify(1, 2), .close], next: .idle),
    Row(state: .openSent, event: .bgpOpenMsgErr(holdError), kinds: [.notify(2, 6), .close], next: .idle),
    Row(state: .openSent, event: .openCollisionDump, kinds: [.notify(6, 7), .close], next: .idle),
    Row(state: .openSent, event: .manualStop(nil), kinds: [.notify(6, 2), .close], next: .idle),
    Row(state: .openSent, event: .manualStop(notification(6, 3)), kinds: [.notify(6, 3), .close], next: .idle),
    Row(state: .openSent, event: .sendHoldTimerExpires, kinds: [.notify(8, 0), .close], next: .idle),
    Row(state: .openSent, event: .tcpConnectionAccepted, kinds: [], next: .openSent),
    // OpenConfirm
    Row(state: .openConfirm, event: .keepAliveMsg, kinds: [.established], next: .established),
    Row(state: .openConfirm, event: .keepaliveTimerExpires, kinds: [.send(.keepalive)], next: .openConfirm),
    Row(state: .openConfirm, event: .holdTimerExpires, kinds: [.notify(4, 0), .close], next: .idle),
    Row(state: .openConfirm, event: .bgpOpen(peerOpen()), kinds: [.notify(5, 2), .close], next: .idle, note: "second OPEN"),
    Row(state: .openConfirm, event: .updateMsg(plainUpdate), kinds: [.notify(5, 2), .close], next: .idle, note: "UPDATE"),
    Row(state: .openConfirm, event: .notifMsg(notification(6, 4)), kinds: [.close], next: .idle),
    Row(state: .openConfirm, event: .tcpConnectionFails, kinds: [.close], next: .idle),
    Row(state: .openConfirm, event: .openCollisionDump, kinds: [.notify(6, 7), .close], next: .idle),
    Row(state: .openConfirm, event: .manualStop(nil), kinds: [.notify(6, 2), .close], next: .idle),
    Row(state: .openConfirm, event: .bgpHeaderErr(headerError), kinds: [.notify(1, 2), .close], next: .idle),
    Row(state: .openConfirm, event: .sendHoldTimerExpires, kinds: [.notify(8, 0), .close], next: .idle),
    // Established
    Row(state: .established, event: .keepAliveMsg, kinds: [], next: .established),
    Row(state: .established, event: .updateMsg(plainUpdate), kinds: [.deliverUpdate], next: .established, note: "UPDATE"),
    Row(state: .established, event: .updateMsg(treatAsWithdraw), kinds: [.deliverUpdate], next: .established, note: "treat-as-withdraw UPDATE"),
    Row(state: .established, event: .routeRefreshMsg(RouteRefreshMessage(family: .ipv4Unicast)), kinds: [.deliverRouteRefresh], next: .established, note: "RR ipv4"),
    Row(state: .established, event: .routeRefreshMsg(RouteRefreshMessage(family: .ipv4Unicast, subtype: .beginningOfRouteRefresh)), kinds: [.deliverRouteRefresh], next: .established, note: "BoRR ipv4"),
    Row(state: .established, event: .routeRefreshMsg(RouteRefreshMessage(family: .ipv6Unicast)), kinds: [], next: .established, note: "RR ipv6, not negotiated"),
    Row(state: .established, event: .routeRefreshMsg(RouteRefreshMessage(family: .ipv4Unicast, subtype: .init(rawValue: 7))), kinds: [], next: .established, note: "RR reserved subtype"),
    Row(state: .established, event: .keepaliveTimerExpires, kinds: [.send(.keepalive)], next: .established),
    Row(state: .established, event: .holdTimerExpires, kinds: [.notify(4, 0), .close, .down], next: .idle),
    Row(state: .established, event: .bgpOpen(peerOpen()), kinds: [.notify(5, 3), .close, .down], next: .idle, note: "OPEN"),
    Row(state: .established, event: .updateMsgErr(attrListError), kinds: [.notify(3, 1), .close, .down], next: .idle),
    Row(state: .established, event: .notifMsg(notification(6, 2)), kinds: [.close, .down], next: .idle),
    Row(state: .established, event: .tcpConnectionFails, kinds: [.close, .down], next: .idle),
    Row(state: .established, event: .manualStop(notification(6, 4)), kinds: [.notify(6, 4), .close, .down], next: .idle),
    Row(state: .established, event: .sendHoldTimerExpires, kinds: [.notify(8, 0), .close, .down], next: .idle),
    Row(state: .established, event: .openCollisionDump, kinds: [.notify(6, 7), .close, .down], next: .idle),
    Row(state: .established, event: .tcpConnectionAccepted, kinds: [], next: .established),
    Row(state: .established, event: .connectRetryTimerExpires, kinds: [.notify(5, 3), .close, .down], next: .idle),
]

@Suite("Rule tables per state (RFC 4271 §8.2.2)")
struct SessionMachineTableTests {
    @Test("row", arguments: rows)
    func row(_ row: Row) throws {
        var m = try machine(in: row.state, config(passive: row.passive))
        let actions = m.handle(row.event, now: .seconds(1))
        #expect(kinds(actions) == row.kinds)
        #expect(m.state == row.next)
    }

    @Test func everyStateHasRows() {
        for s in SessionState.allCases { #expect(rows.contains { $0.state == s }, "no rows for \(s)") }
    }

    @Test func stateNamesAreTheRFCs() {
        #expect(SessionState.allCases.map(\.description) == ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"])
    }

    @Test func badPeerASCarriesTheASAsData() throws {
        var m = try machine(in: .openSent)
        let four = m.handle(.bgpOpen(peerOpen(asNumber: 4_200_000_002)), now: .zero)
        #expect(four.first == .send(.notification(NotificationMessage(code: 2, subcode: 2, data: [0xFA, 0x56, 0xEA, 0x02]))))
        m = try machine(in: .openSent)
        var two = peerOpen()
        two.capabilities.removeAll { $0.code == Capability.Code.fourOctetAS }
        two.myAS = 65002
        let sent = m.handle(.bgpOpen(two), now: .zero)
        #expect(sent.first == .send(.notification(NotificationMessage(code: 2, subcode: 2, data: [0xFD, 0xEA]))))
        #expect(m.lastError?.notificationSent?.subcode == 2)
        #expect(m.lastError?.state == .openSent)
    }

    @Test func unsupportedCapabilityCarriesOurMultiprotocolCapability() throws {
        var m = try machine(in: .openSent)
        let out = m.handle(.bgpOpen(peerOpen(families: [.ipv6Unicast])), now: .zero)
        // Capability code 1, length 4, AFI 1, reserved, SAFI 1 (RFC 5492 §5).
        #expect(out.first == .send(.notification(NotificationMessage(code: 2, subcode: 7, data: [1, 4, 0, 1, 0, 1]))))
    }

    @Test func sameIdentifierIsFineOnEBGP() throws {
        var m = try machine(in: .openSent, config(peerAS: 65002))
        _ = m.handle(.bgpOpen(peerOpen(asNumber: 65002, id: idA)), now: .zero)
        #expect(m.state == .openConfirm)
    }

    @Test func peerWithoutMultiprotocolCapabilitySpeaksIPv4() throws {
        var m = try machine(in: .openSent)
        _ = m.handle(.bgpOpen(OpenMessage(asNumber: 65001, holdTime: 90, bgpIdentifier: idB)), now: .zero)
        #expect(m.state == .openConfirm)
        #expect(m.negotiated?.families == [.ipv4Unicast])
    }

    @Test func holdTimeIsTheSmallerAndZeroMeansNoTimers() throws {
        var m = try machine(in: .openSent, config(hold: 90))
        _ = m.handle(.bgpOpen(peerOpen(hold: 30)), now: .zero)
        #expect(m.negotiated?.holdTime == 30)
        #expect(m.timers.hold == .seconds(30))
        #expect(m.timers.keepalive == .seconds(10))

        var z = try machine(in: .openSent, config(hold: 90))
        _ = z.handle(.bgpOpen(peerOpen(hold: 0)), now: .zero)
        _ = z.handle(.keepAliveMsg, now: .zero)
        #expect(z.state == .established)
        #expect(z.timers.hold == nil && z.timers.keepalive == nil)
        #expect(z.nextDeadline == nil)
    }

    @Test func timersPerState() throws {
        let c = try machine(in: .connect)
        #expect(c.timers.connectRetry == .seconds(5))
        let s = try machine(in: .openSent)
        #expect(s.timers.hold == .seconds(240), "RFC 4271 §8.2.2: a large hold time while waiting for OPEN")
        #expect(s.timers.connectRetry == nil)
        let p = try machine(in: .active, config(passive: true))
        #expect(p.nextDeadline == nil, "a passive peer has nothing to retry")
    }

    @Test func treatAsWithdrawRefreshesTheHoldTimer() throws {
        var m = try machine(in: .established)
        #expect(m.timers.hold == .seconds(9))
        _ = m.handle(.updateMsg(treatAsWithdraw), now: .seconds(5))
        #expect(m.timers.hold == .seconds(14))
        _ = m.handle(.routeRefreshMsg(RouteRefreshMessage(family: .ipv4Unicast)), now: .seconds(6))
        #expect(m.timers.hold == .seconds(14))
        _ = m.handle(.keepAliveMsg, now: .seconds(8))
        #expect(m.timers.hold == .seconds(17))
    }

    @Test func decodeContextKnowsTheNegotiationAndThePeerType() throws {
        let ibgp = try machine(in: .established, config(addPath: [.ipv4Unicast: .receive]),
                               open: OpenMessage(asNumber: 65001, holdTime: 9, bgpIdentifier: idB,
                                                 capabilities: [.addPath([.init(.ipv4Unicast, .send)])]))
        #expect(ibgp.decodeContext == CodecContext(fourOctetAS: true, addPath: [.ipv4Unicast], peerIsExternal: false))
        #expect(ibgp.encodeContext == CodecContext(fourOctetAS: true))
        let ebgp = try SessionMachine(config: config(peerAS: 65002))
        #expect(ebgp.decodeContext.peerIsExternal)
    }

    @Test func invalidConfigsAreRefusedWithEveryProblem() {
        var cfg = config(hold: 2, families: [])
        cfg.localID = IPv4Address(0)
        #expect(throws: SessionConfig.Invalid.self) { try SessionMachine(config: cfg) }
        do { _ = try SessionMachine(config: cfg) } catch { #expect(error.problems.count == 3) }
    }

    @Test func ourOpenAdvertisesTheConfiguredCapabilities() throws {
        var cfg = config(localAS: 4_200_000_001, peerAS: 65002, families: [.ipv4Unicast, .ipv6Unicast],
                         addPath: [.ipv6Unicast: .both], extendedMessage: true)
        cfg.gracefulRestart = GracefulRestartConfig(restartTime: 120, forwardingStatePreserved: true)
        let open = try SessionMachine(config: cfg).localOpen
        #expect(open.myAS == OpenMessage.asTrans)
        #expect(open.asNumber == 4_200_000_001)
        #expect(open.holdTime == 9)
        #expect(open.capabilities == [
            .multiprotocol(.ipv4Unicast), .multiprotocol(.ipv6Unicast), .routeRefresh, .enhancedRouteRefresh,
            .extendedMessage,
            .gracefulRestart(GracefulRestartCapability(restartTime: 120, families: [
                .init(.ipv4Unicast, forwardingStatePreserved: true), .init(.ipv6Unicast, forwardingStatePreserved: true)])),
            .fourOctetAS(4_200_000_001), .addPath([.init(.ipv6Unicast, .both)]),
        ])
    }

    @Test func sendHoldTimeDefaultsToRFC9687() {
        #expect(config(hold: 90).effectiveSendHoldTime == .seconds(480))
        #expect(config(hold: 0).effectiveSendHoldTime == .seconds(480))
        #expect(config(hold: 300).effectiveSendHoldTime == .seconds(600))
        #expect(config(sendHold: .seconds(20)).effectiveSendHoldTime == .seconds(20))
    }

    @Test func instantArithmetic() {
        #expect(Instant.seconds(3) + .milliseconds(500) == .milliseconds(3500))
        #expect(Instant.seconds(3) - Instant.seconds(5) == .seconds(-2))
        #expect(Instant.seconds(1) + .seconds(-5) == .zero)
        #expect(Instant.milliseconds(12_345).description == "12.345s")
    }
}
