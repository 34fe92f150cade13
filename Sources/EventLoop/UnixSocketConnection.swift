#if canImport(Glibc)
import Glibc
#endif

/// One control-socket client as seen by the server: newline-delimited lines in and out.
///
/// Each complete line (without its `\n`, UTF-8 decoded) goes to ``onLine``; ``send(line:)``
/// appends the `\n`. Threading as ``TCPConnection``: on the loop only, and no callback
/// runs after ``close()``.
public final class UnixSocketConnection: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    let channel: StreamChannel
    /// The loop this connection runs on.
    public let loop: EventLoop
    /// Longest accepted line; a longer one closes the connection with `EMSGSIZE`.
    public let maxLineLength: Int

    private var pending: [UInt8] = []
    private var userOnClose: ((CloseReason) -> Void)?

    /// Receives each complete line, without the newline.
    public var onLine: ((String) -> Void)?
    /// Runs once when the client goes away or an error occurs (not after ``close()``).
    public var onClose: ((CloseReason) -> Void)? {
        get { userOnClose }
        set { userOnClose = newValue }
    }
    /// Runs when buffered output drains below the low watermark after ``isWritable`` fell.
    public var onWritable: (() -> Void)? {
        get { channel.onWritable }
        set { channel.onWritable = newValue }
    }

    /// Bytes accepted by ``send(line:)`` and not yet taken by the kernel.
    public var bufferedBytes: Int { channel.bufferedBytes }
    /// False while more than the high watermark is buffered.
    public var isWritable: Bool { channel.isWritable }
    /// True after ``close()``, end of file or an error.
    public var isClosed: Bool { channel.state == .closed }

    init(fd: Int32, path: String, options: ConnectionOptions, maxLineLength: Int, loop: EventLoop) {
        self.loop = loop
        self.maxLineLength = maxLineLength
        channel = StreamChannel(fd: fd, loop: loop, state: .open, peerDescription: "unix:\(path)", options: options)
        // Strong captures: an open connection keeps itself alive; teardown clears these.
        channel.onRead = { [self] bytes in received(bytes) }
        channel.onClose = { [self] reason in
            let callback = userOnClose
            clearCallbacks()
            callback?(reason)
        }
    }

    private func received(_ bytes: [UInt8]) {
        var start = 0
        while let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
            pending += bytes[start..<newline]
            start = newline + 1
            var line = pending
            pending = []
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            onLine?(String(decoding: line, as: UTF8.self))
            if channel.state == .closed { return }
        }
        pending += bytes[start...]
        if pending.count > maxLineLength {
            channel.fail(.error(SocketError(Errno(rawValue: EMSGSIZE),
                                            operation: "read a line longer than \(maxLineLength) bytes from \(channel.peerDescription)")))
        }
    }

    /// Queues `line` plus `\n`. Returns false when closed, when the output cap would be
    /// exceeded, or when `line` itself contains a newline (it would break the framing).
    @discardableResult
    public func send(line: String) -> Bool {
        var bytes = Array(line.utf8)
        guard !bytes.contains(UInt8(ascii: "\n")) else { return false }
        bytes.append(UInt8(ascii: "\n"))
        return channel.write(bytes)
    }

    /// Queues `fragment` as part of a line still being written (a long answer produced in
    /// pieces), then `\n` when `endOfLine`. Returns false like ``send(line:)``.
    @discardableResult
    public func send(fragment: String, endOfLine: Bool = false) -> Bool {
        var bytes = Array(fragment.utf8)
        guard !bytes.contains(UInt8(ascii: "\n")) else { return false }
        if endOfLine { bytes.append(UInt8(ascii: "\n")) }
        return channel.write(bytes)
    }

    /// Closes the connection (buffered output is discarded). Idempotent; no callback after it.
    public func close() {
        channel.close()
        clearCallbacks()
    }

    private func clearCallbacks() {
        onLine = nil
        userOnClose = nil
        pending = []
    }
}
