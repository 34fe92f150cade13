/// Buffer limits of a ``TCPConnection`` or ``UnixSocketConnection``.
///
/// - `isWritable` turns false when more than `highWatermark` bytes are buffered and true
///   again (firing `onWritable`) once at most `lowWatermark` remain.
/// - `write` refuses data beyond `maxBufferedBytes`, so memory never grows without bound.
/// - Each read event reads at most `maxReadPerEvent` bytes, in `readChunkSize` chunks,
///   before yielding the loop to other work.
public struct ConnectionOptions: Hashable, Sendable {
    /// Above this many buffered bytes `isWritable` is false. Default 256 KiB.
    public var highWatermark: Int
    /// At or below this many buffered bytes `isWritable` is true again. Default 64 KiB.
    public var lowWatermark: Int
    /// Hard cap on buffered output; `write` returns false beyond it. Default 4 MiB.
    public var maxBufferedBytes: Int
    /// Largest chunk delivered to `onRead`. Default 64 KiB.
    public var readChunkSize: Int
    /// Bytes read per event before yielding the loop. Default 256 KiB.
    public var maxReadPerEvent: Int

    /// Creates options; watermarks are clamped so `low <= high <= maxBufferedBytes`.
    public init(
        highWatermark: Int = 256 * 1024,
        lowWatermark: Int = 64 * 1024,
        maxBufferedBytes: Int = 4 * 1024 * 1024,
        readChunkSize: Int = 64 * 1024,
        maxReadPerEvent: Int = 256 * 1024
    ) {
        self.maxBufferedBytes = max(maxBufferedBytes, 1)
        self.highWatermark = min(max(highWatermark, 0), self.maxBufferedBytes)
        self.lowWatermark = min(max(lowWatermark, 0), self.highWatermark)
        self.readChunkSize = max(readChunkSize, 1)
        self.maxReadPerEvent = max(maxReadPerEvent, 1)
    }

    /// The defaults.
    public static let `default` = ConnectionOptions()
}
