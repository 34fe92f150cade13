import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// The non-blocking stream machinery shared by ``TCPConnection`` and
/// ``UnixSocketConnection``: one fd, a read source, a write source, a bounded output
/// buffer with watermarks, and exactly-once teardown.
///
/// Confined to `loop.queue`. Sources capture the channel strongly, so an open channel
/// lives until it is closed; teardown cancels both sources, and the fd is closed in the
/// last cancel handler (never while a source may still use it).
final class StreamChannel: @unchecked Sendable {
    enum State { case connecting, open, closed }

    let loop: EventLoop
    let fd: Int32
    /// A duplicate of `fd` that only the write source watches. libdispatch on Linux keeps one
    /// epoll registration per fd for all sources on it; suspending the write source while the
    /// read source's activation is still pending removes the fd from epoll (EPOLL_CTL_DEL) and
    /// the read source's registration then fails (EPOLL_CTL_MOD -> ENOENT): reads never arrive.
    /// Two fds give each source its own registration.
    private let writeFD: Int32
    /// Used in error operations: "read from <peer>".
    var peerDescription: String
    private(set) var state: State

    private let readSource: DispatchSourceRead
    private let writeSource: DispatchSourceWrite
    private var readActivated = false
    private var readSuspended = false
    private var writeActivated = false
    private var writeSuspended = false
    private var pendingCancels = 2
    private var readPassScheduled = false
    private(set) var isReadingPaused = false

    private let readBuffer: UnsafeMutableRawBufferPointer

    // MARK: Output

    private var output: [UInt8] = []
    private var outputStart = 0
    var bufferedBytes: Int { output.count - outputStart }
    var highWatermark: Int
    var lowWatermark: Int
    var maxBufferedBytes: Int
    var maxReadPerEvent: Int
    var readChunkSize: Int { readBuffer.count }
    private(set) var isWritable = true
    private(set) var lastWriteProgress: UInt64

    // MARK: Callbacks

    var onConnect: (() -> Void)?
    var onRead: (([UInt8]) -> Void)?
    var onClose: ((CloseReason) -> Void)?
    var onWritable: (() -> Void)?
    /// Internal hook run once the connection is established, before `onConnect`.
    var didOpen: (() -> Void)?
    private var connectTimer: LoopTimer?

    init(fd: Int32, loop: EventLoop, state: State, peerDescription: String, options: ConnectionOptions) {
        self.fd = fd
        let dupFD = dup(fd)
        self.writeFD = dupFD >= 0 ? dupFD : fd
        self.loop = loop
        self.state = state
        self.peerDescription = peerDescription
        highWatermark = options.highWatermark
        lowWatermark = options.lowWatermark
        maxBufferedBytes = options.maxBufferedBytes
        maxReadPerEvent = max(options.maxReadPerEvent, 1)
        readBuffer = .allocate(byteCount: max(options.readChunkSize, 1), alignment: 16)
        lastWriteProgress = loop.now
        readSource = DispatchSource.makeReadSource(fileDescriptor: fd, queue: loop.queue)
        writeSource = DispatchSource.makeWriteSource(fileDescriptor: writeFD, queue: loop.queue)
        readSource.setEventHandler { [self] in readPass() }
        writeSource.setEventHandler { [self] in writeEvent() }
        readSource.setCancelHandler { [self] in sourceCancelled() }
        writeSource.setCancelHandler { [self] in sourceCancelled() }
    }

    deinit {
        readBuffer.deallocate()
    }

    // MARK: - Lifecycle

    /// For an outgoing connection in `.connecting`: wait for writability, then check SO_ERROR.
    func awaitConnect(timeout: Duration?, operation: String) {
        syncWriteSource()
        if let timeout {
            let timer = LoopTimer(on: loop) { [weak self] in
                self?.fail(.error(SocketError(.timedOut, operation: operation)))
            }
            timer.arm(after: timeout)
            connectTimer = timer
        }
    }

    /// Starts I/O on an established (accepted) connection.
    func start() {
        guard state == .open else { return }
        syncReadSource()
        syncWriteSource()
    }

    /// Reports `error` on a later loop turn (never re-entrantly from inside a user call).
    func failLater(_ reason: CloseReason) {
        loop.execute { [self] in fail(reason) }
    }

    /// Tears down and tells the user why (once).
    func fail(_ reason: CloseReason) {
        guard state != .closed else { return }
        let callback = onClose
        teardown()
        callback?(reason)
    }

    /// Local close: no callback runs afterwards. Idempotent.
    func close() {
        loop.assertOnLoop()
        guard state != .closed else { return }
        teardown()
    }

    private func teardown() {
        state = .closed
        onConnect = nil
        onRead = nil
        onClose = nil
        onWritable = nil
        didOpen = nil
        connectTimer?.invalidate()
        connectTimer = nil
        output = []
        outputStart = 0
        // Cancel each source exactly once; a suspended or inactive source must be resumed
        // or activated so its cancel handler runs and it can be released safely.
        readSource.cancel()
        if !readActivated { readActivated = true; readSource.activate() }
        else if readSuspended { readSuspended = false; readSource.resume() }
        writeSource.cancel()
        if !writeActivated { writeActivated = true; writeSource.activate() }
        else if writeSuspended { writeSuspended = false; writeSource.resume() }
    }

    private func sourceCancelled() {
        pendingCancels -= 1
        if pendingCancels == 0 {
            if writeFD != fd { Syscall.close(writeFD) }
            Syscall.close(fd)
        }
    }

    // MARK: - Source state

    private func syncReadSource() {
        let wanted = state == .open && !isReadingPaused
        if wanted {
            if !readActivated { readActivated = true; readSource.activate() }
            else if readSuspended { readSuspended = false; readSource.resume() }
        } else if readActivated && !readSuspended && state != .closed {
            readSuspended = true
            readSource.suspend()
        }
    }

    private func syncWriteSource() {
        let wanted = state == .connecting || (state == .open && bufferedBytes > 0)
        if wanted {
            if !writeActivated { writeActivated = true; writeSource.activate() }
            else if writeSuspended { writeSuspended = false; writeSource.resume() }
        } else if writeActivated && !writeSuspended && state != .closed {
            writeSuspended = true
            writeSource.suspend()
        }
    }

    func pauseReading() {
        loop.assertOnLoop()
        isReadingPaused = true
        syncReadSource()
    }

    func resumeReading() {
        loop.assertOnLoop()
        guard isReadingPaused else { return }
        isReadingPaused = false
        syncReadSource()
        scheduleReadPass()
    }

    // MARK: - Reading

    private func scheduleReadPass() {
        guard state == .open, !readPassScheduled else { return }
        readPassScheduled = true
        loop.execute { [self] in
            readPassScheduled = false
            readPass()
        }
    }

    /// Reads, now, what the kernel already holds for this socket (until it would block, at
    /// most `limit` bytes), even while reading is paused: for a caller about to decide from
    /// silence (a hold timer), the bytes a stalled loop has not read yet. Returns the bytes read.
    @discardableResult
    func readPending(limit: Int) -> Int {
        loop.assertOnLoop()
        var total = 0
        while state == .open && total < limit {
            switch Syscall.read(fd, into: readBuffer) {
            case .done(0):
                fail(.endOfFile)
                return total
            case .done(let count):
                total += count
                onRead?(Array(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])))
            case .wouldBlock:
                return total
            case .failed(let code):
                fail(.error(SocketError(code, operation: "read from \(peerDescription)")))
                return total
            }
        }
        return total
    }

    /// Reads up to `maxReadPerEvent` bytes in chunks, then yields the loop by re-scheduling.
    private func readPass() {
        var total = 0
        while state == .open && !isReadingPaused {
            if total >= maxReadPerEvent {
                scheduleReadPass()
                return
            }
            switch Syscall.read(fd, into: readBuffer) {
            case .done(0):
                fail(.endOfFile)
                return
            case .done(let count):
                total += count
                let chunk = Array(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
                onRead?(chunk)
            case .wouldBlock:
                return
            case .failed(let code):
                fail(.error(SocketError(code, operation: "read from \(peerDescription)")))
                return
            }
        }
    }

    // MARK: - Writing

    private func writeEvent() {
        switch state {
        case .closed:
            return
        case .connecting:
            if let code = Syscall.pendingError(fd) {
                if code == .inProgress { return }
                fail(.error(SocketError(code, operation: "connect to \(peerDescription)")))
                return
            }
            // A write event without an error means connected.
            state = .open
            connectTimer?.invalidate()
            connectTimer = nil
            lastWriteProgress = loop.now
            didOpen?()
            if state == .open { onConnect?() }
            guard state == .open else { return }
            flush()
            guard state == .open else { return }
            syncReadSource()
            syncWriteSource()
        case .open:
            flush()
            if state == .open { syncWriteSource() }
        }
    }

    /// Writes as much buffered output as the kernel takes.
    private func flush() {
        while bufferedBytes > 0 {
            let result = output.withUnsafeBytes { raw in
                Syscall.write(fd, from: UnsafeRawBufferPointer(rebasing: raw[outputStart...]))
            }
            switch result {
            case .done(let count):
                outputStart += count
                lastWriteProgress = loop.now
                continue
            case .wouldBlock:
                break
            case .failed(let code):
                fail(.error(SocketError(code, operation: "write to \(peerDescription)")))
                return
            }
            break
        }
        if bufferedBytes == 0 {
            output.removeAll()
            outputStart = 0
            lastWriteProgress = loop.now
        } else if outputStart >= 64 * 1024 && outputStart * 2 >= output.count {
            output.removeSubrange(0..<outputStart)
            outputStart = 0
        }
        updateWritability()
    }

    /// Queues `bytes`; `false` when closed or when the hard cap would be exceeded.
    func write(_ bytes: [UInt8]) -> Bool {
        loop.assertOnLoop()
        guard state != .closed else { return false }
        guard !bytes.isEmpty else { return true }
        guard bytes.count <= maxBufferedBytes - bufferedBytes else { return false }
        if bufferedBytes == 0 {
            // Data becomes pending: the stall clock starts now.
            lastWriteProgress = loop.now
            if state == .open {
                let result = bytes.withUnsafeBytes { Syscall.write(fd, from: $0) }
                switch result {
                case .done(let count):
                    lastWriteProgress = loop.now
                    if count == bytes.count { return true }
                    output.append(contentsOf: bytes[count...])
                case .wouldBlock:
                    output.append(contentsOf: bytes)
                case .failed(let code):
                    failLater(.error(SocketError(code, operation: "write to \(peerDescription)")))
                    return false
                }
                syncWriteSource()
                updateWritability()
                return true
            }
        }
        output.append(contentsOf: bytes)
        syncWriteSource()
        updateWritability()
        return true
    }

    private func updateWritability() {
        if isWritable {
            if bufferedBytes > highWatermark { isWritable = false }
        } else if bufferedBytes <= lowWatermark {
            isWritable = true
            onWritable?()
        }
    }
}
