import Testing
@testable import BFD

/// Control packets FRR 8.4.4's bfdd sent to Tern, captured on the wire by
/// `interop/topologies/bfd-frr.sh` (tcpdump on FRR's eth0, `udp dst port 3784`; profile
/// receive-interval 100, transmit-interval 100, detect-multiplier 3, then changed at
/// runtime to transmit-interval 200, detect-multiplier 4). Tern's local discriminator in
/// that run was 0x084A74B1; FRR's was 0xB345D659.
///
/// Decoded exactly, re-encoded to the same bytes, and replayed in their order into a
/// session configured as Tern was (100 ms x 3): Up after FRR's Up/Poll with a Final in
/// reply, detection time 3 x 100 ms, then FRR's re-timing Poll (200 ms x 4) answered with a
/// Final and the detection time 4 x max(100, 200) = 800 ms, never leaving Up.
@Suite struct FRRGoldenPacketTests {
    static let tern: UInt32 = 0x084A_74B1
    static let frr: UInt32 = 0xB345_D659

    /// The whole IPv4 + UDP datagram of FRR's first packet: TTL 255 (RFC 5881 §5), source
    /// port 49153 (49152-65535), destination port 3784, UDP length 32.
    static let downDatagram: [UInt8] = [
        0x45, 0xC0, 0x00, 0x34, 0x5A, 0xA4, 0x40, 0x00, 0xFF, 0x11, 0xE6, 0xFF,  // IPv4, TTL 255, UDP
        0xC0, 0xA8, 0x5C, 0x02, 0xC0, 0xA8, 0x5C, 0x01,                          // 192.168.92.2 -> .1
        0xC0, 0x01, 0x0E, 0xC8, 0x00, 0x20, 0x39, 0x86,                          // 49153 -> 3784, len 32
        0x20, 0x40, 0x03, 0x18, 0xB3, 0x45, 0xD6, 0x59, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x0F, 0x42, 0x40, 0x00, 0x0F, 0x42, 0x40, 0x00, 0x00, 0xC3, 0x50,
    ]

    /// Down, no diagnostic, mult 3, Your Discriminator 0; 1 s TX/RX while not Up (RFC 5880
    /// §6.8.3: FRR advertises 1 s, not its 100 ms, before Up); Required Min Echo RX 50 ms.
    static var down: [UInt8] { Array(downDatagram[28...]) }

    /// Up, Poll: FRR's answer to Tern's Init, switching to the profile's 100 ms (a Poll
    /// Sequence, §6.8.3).
    static let upPoll: [UInt8] = [
        0x20, 0xE0, 0x03, 0x18, 0xB3, 0x45, 0xD6, 0x59, 0x08, 0x4A, 0x74, 0xB1,
        0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 0x00, 0x00, 0xC3, 0x50,
    ]

    /// Up, Final: FRR's answer to a Poll from Tern (after the link was restored).
    static let upFinal: [UInt8] = [
        0x20, 0xD0, 0x03, 0x18, 0xB3, 0x45, 0xD6, 0x59, 0x08, 0x4A, 0x74, 0xB1,
        0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0, 0x00, 0x00, 0xC3, 0x50,
    ]

    /// Up, Poll, mult 4, Desired Min TX 200 ms: `transmit-interval 200` and
    /// `detect-multiplier 4` typed into FRR's profile at runtime.
    static let retimePoll: [UInt8] = [
        0x20, 0xE0, 0x04, 0x18, 0xB3, 0x45, 0xD6, 0x59, 0x08, 0x4A, 0x74, 0xB1,
        0x00, 0x03, 0x0D, 0x40, 0x00, 0x01, 0x86, 0xA0, 0x00, 0x00, 0xC3, 0x50,
    ]

    /// Up, no flags, after the re-timing.
    static let upRetimed: [UInt8] = [
        0x20, 0xC0, 0x04, 0x18, 0xB3, 0x45, 0xD6, 0x59, 0x08, 0x4A, 0x74, 0xB1,
        0x00, 0x03, 0x0D, 0x40, 0x00, 0x01, 0x86, 0xA0, 0x00, 0x00, 0xC3, 0x50,
    ]

    @Test func datagramIsSingleHopControl() {
        let d = Self.downDatagram
        #expect(d[8] == 255 && d[9] == 17)                          // TTL 255, UDP
        let src = UInt16(d[20]) << 8 | UInt16(d[21]), dst = UInt16(d[22]) << 8 | UInt16(d[23])
        #expect(src >= 49152 && dst == 3784)
        #expect(Int(UInt16(d[24]) << 8 | UInt16(d[25])) == 8 + BFDControlPacket.mandatoryLength)
    }

    @Test func decodesDownExactly() throws {
        let p = try BFDControlPacket(decoding: Self.down)
        #expect(p == BFDControlPacket(
            state: .down, detectMult: 3, myDiscriminator: Self.frr, yourDiscriminator: 0,
            desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 1_000_000, requiredMinEchoRxInterval: 50_000))
        #expect(p.version == 1 && p.diagnostic == .none && !p.poll && !p.final && !p.authPresent && !p.demand)
        #expect(p.encode() == Self.down)
    }

    @Test func decodesUpPollFinalAndRetimeExactly() throws {
        let cases: [([UInt8], Bool, Bool, UInt8, UInt32)] = [
            (Self.upPoll, true, false, 3, 100_000), (Self.upFinal, false, true, 3, 100_000),
            (Self.retimePoll, true, false, 4, 200_000), (Self.upRetimed, false, false, 4, 200_000),
        ]
        for (bytes, poll, final, mult, tx) in cases {
            let p = try BFDControlPacket(decoding: bytes)
            #expect(p == BFDControlPacket(
                state: .up, poll: poll, final: final, detectMult: mult, myDiscriminator: Self.frr,
                yourDiscriminator: Self.tern, desiredMinTxInterval: tx, requiredMinRxInterval: 100_000,
                requiredMinEchoRxInterval: 50_000))
            #expect(!p.controlPlaneIndependent && !p.multipoint && p.length == 24)
            #expect(p.encode() == bytes)
        }
    }

    @Test func replayBringsUpAndRetimesWithFinals() throws {
        var s = BFDSession(
            config: config(tx: ms(100), rx: ms(100), mult: 3, discriminator: Self.tern), now: .zero)
        _ = s.advance(to: .zero)
        // FRR's Down (Your Discriminator 0, matched by address in Tern) -> Init.
        _ = s.handle(.received(try BFDControlPacket(decoding: Self.down)), now: at(5))
        #expect(s.state == .`init`)
        // FRR's Up/Poll -> Up, and a Final at once (§6.8.6: "MUST transmit a BFD Control
        // packet with the Poll bit clear and the Final bit set as soon as practicable").
        let up = s.handle(.received(try BFDControlPacket(decoding: Self.upPoll)), now: at(10))
        #expect(s.state == .up)
        #expect(up.sent.contains { $0.final && !$0.poll && $0.state == .up && $0.yourDiscriminator == Self.frr })
        #expect(s.detectionTime == UInt64(ms(300)))
        // The re-timing Poll: Final again, detection time 4 x max(100, 200) ms, still Up.
        let re = s.handle(.received(try BFDControlPacket(decoding: Self.retimePoll)), now: at(50))
        #expect(re.sent.contains { $0.final && !$0.poll })
        #expect(re.changes.isEmpty && s.state == .up)
        #expect(s.detectionTime == UInt64(ms(800)))
        _ = s.handle(.received(try BFDControlPacket(decoding: Self.upRetimed)), now: at(250))
        #expect(s.state == .up && s.detectionTime == UInt64(ms(800)))
    }
}
