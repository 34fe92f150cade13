/// Appends big-endian integers and byte runs to a growing buffer.
///
/// Length fields that are only known after their contents are written use
/// ``reserveLength16()`` / ``patchLength16(at:)``.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// A writer with room for `capacity` bytes before it reallocates.
    public init(capacity: Int = 64) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Bytes written so far.
    public var count: Int { bytes.count }

    @inline(__always)
    public mutating func writeUInt8(_ v: UInt8) { bytes.append(v) }

    @inline(__always)
    public mutating func writeUInt16(_ v: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    public mutating func writeUInt32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v))
    }

    @inline(__always)
    public mutating func writeUInt64(_ v: UInt64) {
        writeUInt32(UInt32(truncatingIfNeeded: v >> 32))
        writeUInt32(UInt32(truncatingIfNeeded: v))
    }

    public mutating func writeBytes<C: Collection>(_ b: C) where C.Element == UInt8 {
        bytes.append(contentsOf: b)
    }

    /// Appends `count` bytes that `body` writes in place through a pointer to the first
    /// of them (for hot loops; `body` must write only `out[0..<count]`).
    mutating func appendUnsafe(count: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Void) {
        if count == 0 { return }
        let old = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        bytes.withUnsafeMutableBufferPointer { body($0.baseAddress! + old) }
    }

    /// Writes a placeholder 16-bit length and returns its offset for ``patchLength16(at:)``.
    public mutating func reserveLength16() -> Int {
        let at = bytes.count
        writeUInt16(0)
        return at
    }

    /// Writes a placeholder 8-bit length and returns its offset for ``patchLength8(at:)``.
    public mutating func reserveLength8() -> Int {
        let at = bytes.count
        writeUInt8(0)
        return at
    }

    /// Stores the number of bytes written after the 2-byte field at `offset` into it.
    public mutating func patchLength16(at offset: Int) {
        let len = bytes.count - offset - 2
        precondition(len >= 0 && len <= 0xFFFF, "length field overflow")
        bytes[offset] = UInt8(truncatingIfNeeded: len >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: len)
    }

    /// Stores the number of bytes written after the 1-byte field at `offset` into it.
    public mutating func patchLength8(at offset: Int) {
        let len = bytes.count - offset - 1
        precondition(len >= 0 && len <= 0xFF, "length field overflow")
        bytes[offset] = UInt8(truncatingIfNeeded: len)
    }

    /// Overwrites a big-endian 16-bit value at `offset`.
    public mutating func set(uint16 v: UInt16, at offset: Int) {
        bytes[offset] = UInt8(truncatingIfNeeded: v >> 8)
        bytes[offset + 1] = UInt8(truncatingIfNeeded: v)
    }

    /// Overwrites the byte at `offset`.
    @inline(__always)
    mutating func setByte(_ v: UInt8, at offset: Int) {
        bytes[offset] = v
    }

    /// Turns the one-octet length of the path attribute header at `offset` (flags, code,
    /// length) into an extended two-octet one holding `length` (RFC 4271 §4.3: flag E).
    mutating func widenAttributeLength(at offset: Int, length: Int) {
        let len = UInt16(length)
        bytes[offset] |= AttributeFlags.extendedLength
        bytes.insert(UInt8(truncatingIfNeeded: len >> 8), at: offset + 2)
        bytes[offset + 3] = UInt8(truncatingIfNeeded: len)
    }
}
