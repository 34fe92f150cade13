import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Write ends of each ``SignalSource``'s pipe, indexed by signal number (-1: none).
/// A plain C array: the signal handler may only do a load and `write(2)`.
private nonisolated(unsafe) let signalPipeWriters: UnsafeMutablePointer<Int32> = {
    let table = UnsafeMutablePointer<Int32>.allocate(capacity: Int(signalTableSize))
    table.initialize(repeating: -1, count: Int(signalTableSize))
    return table
}()
private let signalTableSize: Int32 = 65

/// The async-signal-safe handler: one byte (the signal number) into the pipe.
private let signalPipeHandler: @convention(c) (Int32) -> Void = { number in
    let saved = errno
    if number > 0 && number < signalTableSize {
        let fd = signalPipeWriters[Int(number)]
        if fd >= 0 {
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(fd, &byte, 1)
        }
    }
    errno = saved
}

/// Delivers signals (SIGHUP to reload, SIGTERM/SIGINT to stop) as callbacks on the loop.
///
/// Linux note: a `DispatchSourceSignal` (libdispatch's `signalfd`) only sees a signal when
/// every thread of the process blocks it; in a multithreaded process with the Darwin recipe
/// (`signal(SIG, SIG_IGN)` then a signal source) the kernel hands the signal to some thread
/// that discards it, and the source never fires (Tern's test showed exactly that). So this
/// type installs a minimal async-signal-safe handler that writes the signal number into a
/// non-blocking pipe, and a `DispatchSourceRead` on that pipe (retained here) delivers it
/// on the loop. This works whatever the threads' signal masks are.
///
/// One `SignalSource` per signal at a time (a later one takes the signal over). After
/// ``cancel()`` the signals are ignored (`SIG_IGN`), so a late SIGTERM cannot kill the
/// process with its default action. Keep the `SignalSource` alive.
///
/// ```swift
/// let signals = try SignalSource(signals: [SIGHUP, SIGTERM, SIGINT], on: loop) { signal in
///     signal == SIGHUP ? daemon.reload() : daemon.shutdown()
/// }
/// ```
public final class SignalSource: @unchecked Sendable {
    // All mutable state is confined to `loop.queue` (init may run anywhere).
    private let loop: EventLoop
    private let source: DispatchSourceRead
    private let writeFD: Int32
    private var handler: ((Int32) -> Void)?
    private var isCancelled = false

    /// The signals handled.
    public let signals: [Int32]

    /// Starts handling `signals`; `handler` runs on the loop with each signal number
    /// (several identical signals arriving together may be delivered once).
    public init(signals: [Int32], on loop: EventLoop, handler: @escaping (Int32) -> Void) throws(SocketError) {
        self.loop = loop
        self.signals = signals
        self.handler = handler
        for number in signals where number <= 0 || number >= signalTableSize {
            throw SocketError(.invalidArgument, operation: "handle signal \(number)")
        }
        var fds: [Int32] = [-1, -1]
        _ = try Syscall.retrying("create signal pipe") { pipe(&fds) }
        let (readFD, writeFD) = (fds[0], fds[1])
        do throws(SocketError) {
            try Syscall.setNonBlocking(readFD, "configure signal pipe")
            try Syscall.setNonBlocking(writeFD, "configure signal pipe")
        } catch {
            Syscall.close(readFD)
            Syscall.close(writeFD)
            throw error
        }
        self.writeFD = writeFD
        source = DispatchSource.makeReadSource(fileDescriptor: readFD, queue: loop.queue)
        source.setCancelHandler {
            Syscall.close(readFD)
            Syscall.close(writeFD)
        }
        source.setEventHandler { [weak self] in self?.drain(readFD) }
        source.activate()
        for number in signals {
            signalPipeWriters[Int(number)] = writeFD
            signal(number, signalPipeHandler)
        }
    }

    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while !isCancelled {
            let result = buffer.withUnsafeMutableBytes { Syscall.read(fd, into: $0) }
            guard case .done(let count) = result, count > 0 else { return }
            var seen = Set<UInt8>()
            for byte in buffer[..<count] where seen.insert(byte).inserted {
                handler?(Int32(byte))
                if isCancelled { return }
            }
        }
    }

    /// Stops delivering signals and sets them to `SIG_IGN`. Idempotent. Call on the loop.
    public func cancel() {
        loop.assertOnLoop()
        guard !isCancelled else { return }
        isCancelled = true
        handler = nil
        release()
    }

    private func release() {
        for number in signals where signalPipeWriters[Int(number)] == writeFD {
            signal(number, SIG_IGN)
            signalPipeWriters[Int(number)] = -1
        }
        source.cancel()
    }

    deinit {
        if !isCancelled { release() }
    }
}
