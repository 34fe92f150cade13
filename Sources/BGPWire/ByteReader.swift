/// A bounds-checked cursor over received bytes.
///
/// Every read checks the remaining length first and throws ``TruncatedInput``
/// instead of reading past the end, so hostile input can never cause an
/// out-of-bounds access. Sub-readers (``readReader(_:)``) share the storage
/// (no copy) and are limited to their own window, which is how an attribute's
/// declared length confines its decoder.
public struct ByteReader: Sendable {
    /// The whole underlying buffer (shared, never copied by sub-readers).
    public let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var position: Int
    /// One past the last readable index of this reader's window.
    public let end: Int

    /// A reader over all of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
    }

    /// A reader over `range` of `bytes`; `range` must lie inside `bytes`.
    public init(_ bytes: [UInt8], range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count, "reader window outside buffer")
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// A reader over `range` of `bytes` that the caller has already checked lies inside `bytes`.
    @inline(__always)
    init(unchecked bytes: [UInt8], range: Range<Int>) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
    }

    /// Bytes left in this reader's window.
    public var remaining: Int { end - position }
    /// True when every byte of the window has been read.
    public var isAtEnd: Bool { position >= end }

    func need(_ n: Int) throws(TruncatedInput) {
        if n < 0 || n > end - position { throw TruncatedInput(needed: n, available: end - position) }
    }

    /// Reads one byte.
    public mutating func readUInt8() throws(TruncatedInput) -> UInt8 {
        try need(1)
        defer { position += 1 }
        return bytes[position]
    }

    /// Reads a big-endian 16-bit integer.
    public mutating func readUInt16() throws(TruncatedInput) -> UInt16 {
        try need(2)
        defer { position += 2 }
        return UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
    }

    /// Reads a big-endian 32-bit integer.
    public mutating func readUInt32() throws(TruncatedInput) -> UInt32 {
        try need(4)
        defer { position += 4 }
        return UInt32(bytes[position]) << 24 | UInt32(bytes[position + 1]) << 16
            | UInt32(bytes[position + 2]) << 8 | UInt32(bytes[position + 3])
    }

    /// Reads a big-endian 64-bit integer.
    public mutating func readUInt64() throws(TruncatedInput) -> UInt64 {
        let hi = try readUInt32()
        let lo = try readUInt32()
        return UInt64(hi) << 32 | UInt64(lo)
    }

    /// Reads `count` bytes into a new array.
    public mutating func readBytes(_ count: Int) throws(TruncatedInput) -> [UInt8] {
        try need(count)
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Returns a reader over the next `count` bytes and advances past them.
    public mutating func readReader(_ count: Int) throws(TruncatedInput) -> ByteReader {
        try need(count)
        defer { position += count }
        return ByteReader(bytes, range: position..<position + count)
    }

    /// Returns the rest of the window as a reader and advances to the end.
    public mutating func readRest() -> ByteReader {
        defer { position = end }
        return ByteReader(bytes, range: position..<end)
    }

    /// Moves to the end of the window (after its contents were read in bulk).
    mutating func skipToEnd() {
        position = end
    }

    /// Skips `count` bytes.
    public mutating func skip(_ count: Int) throws(TruncatedInput) {
        try need(count)
        position += count
    }

    /// The byte at `offset` from the current position, without consuming it.
    public func peekUInt8(at offset: Int = 0) throws(TruncatedInput) -> UInt8 {
        if offset < 0 || offset >= end - position { throw TruncatedInput(needed: offset + 1, available: end - position) }
        return bytes[position + offset]
    }

    /// The unread bytes of the window, copied.
    public var remainingBytes: [UInt8] { Array(bytes[position..<end]) }
}

/// Thrown when a read would go past the end of a reader's window.
public struct TruncatedInput: Error, Sendable, Equatable {
    /// Bytes the read needed.
    public var needed: Int
    /// Bytes that were left.
    public var available: Int
    public init(needed: Int, available: Int) {
        self.needed = needed
        self.available = available
    }
}
