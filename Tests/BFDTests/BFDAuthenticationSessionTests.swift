@testable import BFD
import Testing

/// RFC 5880 §6.7.4 / §6.8.6 authentication in the session: the A bit, Auth Type, Key ID and
/// the Sequence Number windows of Keyed and Meticulous Keyed SHA1 (the digest is the driver's).
@Suite struct BFDAuthenticationSessionTests {
    static func authConfig(_ type: BFDAuthentication.AuthType?, keyID: UInt8 = 1, seq: UInt32 = 100) -> BFDSessionConfig {
        BFDSessionConfig(desiredMinTxInterval: ms(300), requiredMinRxInterval: ms(300), detectMultiplier: 3,
                         localDiscriminator: 1, jitter: .none,
                         authentication: type.map { BFDAuthenticationConfig(type: $0, keyID: keyID) }, initialAuthSequence: seq)
    }

    static func signed(_ p: BFDControlPacket, _ type: BFDAuthentication.AuthType, keyID: UInt8 = 1, seq: UInt32) -> BFDControlPacket {
        var p = p
        p.authentication = BFDAuthentication(type: type, keyID: keyID, sequenceNumber: seq, digest: Array(repeating: 0, count: 20))
        return p
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var ours: BFDAuthentication.AuthType?
        var theirs: BFDAuthentication.AuthType?
        var keyID: UInt8 = 1
        var expected: BFDDiscardReason?
        var testDescription: String { name }
    }

    static let presenceCases: [Case] = [
        Case(name: "none both: accepted", ours: nil, theirs: nil, expected: nil),
        Case(name: "A bit, no auth in use", ours: nil, theirs: .keyedSHA1, expected: .authenticationNotInUse),
        Case(name: "auth in use, A bit clear", ours: .keyedSHA1, theirs: nil, expected: .authenticationMissing),
        Case(name: "keyed vs meticulous", ours: .keyedSHA1, theirs: .meticulousKeyedSHA1, expected: .authenticationTypeMismatch(received: 5, expected: 4)),
        Case(name: "wrong key ID", ours: .keyedSHA1, theirs: .keyedSHA1, keyID: 2, expected: .keyIDMismatch(received: 2, expected: 1)),
        Case(name: "keyed, same ID", ours: .keyedSHA1, theirs: .keyedSHA1, expected: nil),
        Case(name: "meticulous, same ID", ours: .meticulousKeyedSHA1, theirs: .meticulousKeyedSHA1, expected: nil),
    ]

    @Test(arguments: presenceCases) func presenceTypeAndKeyID(_ c: Case) {
        var s = BFDSession(config: Self.authConfig(c.ours), now: .zero)
        _ = s.advance(to: .zero)
        var p = peer(.down, your: 0)
        if let t = c.theirs { p = Self.signed(p, t, keyID: c.keyID, seq: 7) }
        let out = s.handle(.received(p), now: at(10))
        if let e = c.expected {
            #expect(out == [.discarded(e)])
            #expect(s.state == .down && s.remoteDiscriminator == 0)
            #expect(e.isAuthentication)
        } else {
            #expect(s.state == .`init`)
            #expect(s.authSequenceKnown == (c.ours != nil))
        }
    }

    struct SeqCase: Sendable, CustomTestStringConvertible {
        var type: BFDAuthentication.AuthType
        var next: UInt32
        var accepted: Bool
        var testDescription: String { "\(type) after 1000: \(next) \(accepted ? "accepted" : "discarded")" }
    }

    // Detect Mult 3: window 3 * 3 = 9. Keyed: 1000...1009; meticulous: 1001...1009.
    static let sequenceCases: [SeqCase] = [
        SeqCase(type: .keyedSHA1, next: 1000, accepted: true),
        SeqCase(type: .keyedSHA1, next: 1001, accepted: true),
        SeqCase(type: .keyedSHA1, next: 1009, accepted: true),
        SeqCase(type: .keyedSHA1, next: 1010, accepted: false),
        SeqCase(type: .keyedSHA1, next: 999, accepted: false),
        SeqCase(type: .meticulousKeyedSHA1, next: 1000, accepted: false),
        SeqCase(type: .meticulousKeyedSHA1, next: 1001, accepted: true),
        SeqCase(type: .meticulousKeyedSHA1, next: 1009, accepted: true),
        SeqCase(type: .meticulousKeyedSHA1, next: 1010, accepted: false),
        SeqCase(type: .meticulousKeyedSHA1, next: 0, accepted: false),
    ]

    @Test(arguments: sequenceCases) func sequenceWindow(_ c: SeqCase) {
        var s = BFDSession(config: Self.authConfig(c.type), now: .zero)
        _ = s.advance(to: .zero)
        _ = s.handle(.received(Self.signed(peer(.down, your: 0), c.type, seq: 1000)), now: at(10))
        #expect(s.authSequenceKnown && s.receiveAuthSequence == 1000)
        let out = s.handle(.received(Self.signed(peer(.`init`, your: 1), c.type, seq: c.next)), now: at(20))
        if c.accepted {
            #expect(s.state == .up && s.receiveAuthSequence == c.next)
        } else {
            #expect(out == [.discarded(.sequenceOutOfWindow(received: c.next, last: 1000))])
            #expect(s.state == .`init` && s.receiveAuthSequence == 1000)
        }
    }

    /// The window is circular (§6.7.4: "an unsigned 32 bit circular number space").
    @Test func sequenceWrapsAround() {
        var s = BFDSession(config: Self.authConfig(.meticulousKeyedSHA1), now: .zero)
        _ = s.handle(.received(Self.signed(peer(.down, your: 0), .meticulousKeyedSHA1, seq: UInt32.max - 1)), now: at(10))
        _ = s.handle(.received(Self.signed(peer(.`init`, your: 1), .meticulousKeyedSHA1, seq: 3)), now: at(20))
        #expect(s.state == .up && s.receiveAuthSequence == 3)
    }

    /// After a Detection Time of silence the sequence is learned afresh (a restarted peer).
    @Test func silenceForgetsTheSequence() {
        var s = BFDSession(config: Self.authConfig(.meticulousKeyedSHA1), now: .zero)
        _ = s.handle(.received(Self.signed(peer(.down, your: 0), .meticulousKeyedSHA1, seq: 500)), now: at(10))
        _ = s.advance(to: at(10_000))
        #expect(!s.authSequenceKnown && s.state == .down)
        _ = s.handle(.received(Self.signed(peer(.down, your: 0), .meticulousKeyedSHA1, seq: 3)), now: at(10_010))
        #expect(s.state == .`init` && s.receiveAuthSequence == 3)
    }

    /// Sent packets carry the section with bfd.XmitAuthSeq, incremented for each packet
    /// (Final included), and none without authentication.
    @Test(arguments: [BFDAuthentication.AuthType.keyedSHA1, .meticulousKeyedSHA1]) func transmittedSequence(_ type: BFDAuthentication.AuthType) {
        var s = BFDSession(config: Self.authConfig(type, keyID: 7, seq: UInt32.max), now: .zero)
        var sent = s.advance(to: .zero).sent
        sent += s.advance(to: at(1_000)).sent
        sent += s.handle(.received(Self.signed(peer(.down, your: 0, poll: true), type, keyID: 7, seq: 1)), now: at(1_100)).sent
        #expect(sent.count == 4)  // first, periodic at 1 s, Down -> Init, the Final
        #expect(sent.map { $0.authentication?.keyID } == Array(repeating: 7, count: sent.count))
        #expect(sent.map { $0.authentication?.type } == Array(repeating: type, count: sent.count))
        let seqs = sent.compactMap { $0.authentication?.sequenceNumber }
        #expect(seqs == (0..<UInt32(sent.count)).map { UInt32.max &+ $0 })
        var plain = BFDSession(config: Self.authConfig(nil), now: .zero)
        #expect(plain.advance(to: .zero).sent.allSatisfy { $0.authentication == nil })
    }

    /// Two authenticating sessions, signed and verified over the real codec, reach Up; a
    /// third party with the wrong key is refused by the digest check.
    @Test(arguments: [BFDAuthentication.AuthType.keyedSHA1, .meticulousKeyedSHA1]) func signedPacketsVerify(_ type: BFDAuthentication.AuthType) throws {
        let key = Array("secret".utf8)
        var a = BFDSession(config: Self.authConfig(type, seq: 10), now: .zero)
        var bc = Self.authConfig(type, seq: 90_000)
        bc.localDiscriminator = 2
        var b = BFDSession(config: bc, now: .zero)
        var toB = a.advance(to: .zero).sent
        var toA = b.advance(to: .zero).sent
        for round in 0..<4 {
            let t = at(UInt64(round) * 10 + 1)
            var nextA: [BFDControlPacket] = [], nextB: [BFDControlPacket] = []
            for p in toB {
                let bytes = p.encodeSigned(key: key)
                #expect(BFDControlPacket.verifySHA1(bytes, key: key))
                #expect(!BFDControlPacket.verifySHA1(bytes, key: Array("secreT".utf8)))
                nextA += b.handle(.received(try BFDControlPacket(decoding: bytes)), now: t).sent
            }
            for p in toA {
                let bytes = p.encodeSigned(key: key)
                nextB += a.handle(.received(try BFDControlPacket(decoding: bytes)), now: t).sent
            }
            toA = nextA; toB = nextB
        }
        #expect(a.state == .up && b.state == .up)
    }
}
