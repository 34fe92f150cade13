/// The random reduction of each periodic transmit interval (RFC 5880 §6.8.7): "the
/// interval between transmitted BFD Control packets MUST be reduced by a random value of
/// 0 to 25%", and when bfd.DetectMult is 1, "MUST be no more than 90% of the negotiated
/// transmission interval, and MUST be no less than 75%".
///
/// A value, not a closure: a SplitMix64 generator whose state lives in the session, so a
/// session is reproducible from its seed. ``none`` draws no randomness (tests with exact
/// times): the reduction is 0, or the 10% minimum when DetectMult is 1.
public struct BFDJitter: Hashable, Sendable {
    private var state: UInt64
    private let random: Bool

    /// A generator seeded with `seed`: the same seed gives the same intervals.
    public static func seeded(_ seed: UInt64) -> BFDJitter { BFDJitter(state: seed, random: true) }

    /// No randomness: the smallest reduction the rule allows.
    public static let none = BFDJitter(state: 0, random: false)

    private init(state: UInt64, random: Bool) {
        self.state = state
        self.random = random
    }

    /// SplitMix64 (Steele, Lea, Flood 2014).
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `interval` (µs) reduced per §6.8.7: by 0-25%, or by 10-25% when `detectMult` is 1.
    /// The reduction is drawn in thousandths of the interval.
    public mutating func apply(to interval: UInt32, detectMult: UInt8) -> UInt32 {
        let low: UInt64 = detectMult == 1 ? 100 : 0
        let high: UInt64 = 250
        let perMille = random ? low + next() % (high - low + 1) : low
        return UInt32(UInt64(interval) - UInt64(interval) * perMille / 1000)
    }
}
