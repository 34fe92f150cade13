import BGPWire

/// Deterministic UPDATE streams for the codec benchmarks and the profiling driver.
///
/// Every stream is built once; the benchmarks measure only the encode or the
/// frame + decode of it.
public enum CodecStreams {
    /// The direction both ends negotiated: 4-octet AS, 4096-byte messages, no add-path, eBGP.
    public static let context = CodecContext(fourOctetAS: true, peerIsExternal: true)

    /// The one attribute set of the 1M-prefix stream: ORIGIN IGP, AS_PATH [64513],
    /// NEXT_HOP, MED, COMMUNITIES (2 values).
    public static let attributes = PathAttributes(
        origin: .igp, asPath: .sequence([64513]), nextHop: IPv4Address(0xC000_0201), multiExitDisc: 50,
        communities: [Community(asn: 64513, value: 100), Community(asn: 64513, value: 200)])

    /// `count` distinct /24 prefixes, 16.0.0.0/24 upwards.
    public static func prefixes24(_ count: Int, from first: Int = 0) -> [NLRI] {
        (first..<first + count).map { i in
            NLRI(.v4(IPv4Prefix(address: IPv4Address(0x1000_0000 &+ UInt32(i) << 8), length: 24)!))
        }
    }

    /// 1M /24 prefixes.
    public static let million = prefixes24(1_000_000)

    /// `sets` attribute sets, each with its own AS path of length 3...6 (deterministic).
    public static func distinctPathSets(_ sets: Int) -> [PathAttributes] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt32 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt32(truncatingIfNeeded: state >> 33)
        }
        return (0..<sets).map { s in
            let len = 3 + Int(next() % 4)
            // First ASN is the peer; the last makes the path unique per set.
            var path: [UInt32] = [64513]
            for _ in 1..<len - 1 { path.append(1 + next() % 400_000) }
            path.append(4_200_000_000 &+ UInt32(s))
            var a = attributes
            a.asPath = .sequence(path)
            return a
        }
    }

    /// 100k attribute sets of 10 /24 prefixes each (1M prefixes in all).
    public static let distinctSets = distinctPathSets(100_000)
    public static let prefixesPerSet = 10
    /// The 1M prefixes cut into the 100k chunks of ``distinctSets`` (built outside any measurement).
    public static let distinctChunks: [[NLRI]] = (0..<distinctSets.count).map {
        Array(million[$0 * prefixesPerSet..<($0 + 1) * prefixesPerSet])
    }

    // MARK: Encoders (what the encode benchmarks measure)

    /// The 1M prefixes announced with one attribute set.
    public static func encodeOneSet() -> [[UInt8]] {
        UpdatePacker.announce(attributes, family: .ipv4Unicast, nlri: million, context: context)
    }

    /// 1M prefixes in 100k attribute sets (one UPDATE per set).
    public static func encodeDistinctPaths() -> [[UInt8]] {
        var out: [[UInt8]] = []
        out.reserveCapacity(distinctSets.count)
        for (a, chunk) in zip(distinctSets, distinctChunks) {
            out += UpdatePacker.announce(a, family: .ipv4Unicast, nlri: chunk, context: context)
        }
        return out
    }

    /// The 1M prefixes withdrawn.
    public static func encodeWithdrawals() -> [[UInt8]] {
        UpdatePacker.withdraw(family: .ipv4Unicast, nlri: million, context: context)
    }

    /// Messages concatenated into one TCP byte stream.
    public static func stream(_ messages: [[UInt8]]) -> [UInt8] {
        var s: [UInt8] = []
        s.reserveCapacity(messages.reduce(0) { $0 + $1.count })
        for m in messages { s += m }
        return s
    }

    /// Read size the decode benchmarks feed the framer with (a typical socket read).
    public static let readSize = 65_536

    /// Frames and decodes `stream`, fed in `readSize` chunks. Returns (UPDATEs, prefixes).
    public static func decode(_ stream: [UInt8]) throws -> (updates: Int, prefixes: Int) {
        var framer = MessageFramer(maxMessageLength: context.maxMessageLength)
        var updates = 0, prefixes = 0
        var at = 0
        while at < stream.count {
            let end = min(at + readSize, stream.count)
            framer.append(stream[at..<end])
            at = end
            while let frame = try framer.next() {
                let d = try BGPMessage.decode(frame, context: context)
                guard case .update(let u) = d.message, d.issues.isEmpty else { fatalError("unexpected \(d)") }
                updates += 1
                prefixes += u.nlri.count + u.withdrawn.count
            }
        }
        return (updates, prefixes)
    }
}
