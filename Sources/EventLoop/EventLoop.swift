import Dispatch

/// # EventLoop module
///
/// Dispatch-based non-blocking sockets, timers and signals for Tern (no SwiftNIO). It
/// knows nothing of BGP; it moves bytes and lines. Related RFCs: RFC 9687 (BGP send hold
/// timer, fed by ``TCPConnection/lastWriteProgress``), RFC 2385 (TCP MD5 signatures).
/// Syscalls are wrapped once (`Syscall`), retried on `EINTR`, and fail with a typed
/// ``SocketError`` carrying the ``Errno`` name and the operation.
///
/// The event loop: one serial `DispatchQueue` on which every callback of this module runs.
///
/// The daemon keeps all protocol state (sessions, RIB) confined to ``queue``. Sockets,
/// timers and signals are Dispatch sources targeting it; nothing may block it.
///
/// Threading rule: every object of this module (``TCPListener``, ``TCPConnection``,
/// ``LoopTimer``, ``UnixSocketServer``, ``SignalSource``) is created, configured and used
/// on the loop queue, and all its callbacks are delivered there. Create an object and set
/// its callbacks in the same loop turn: events are delivered in a later turn.
/// From other threads, hop on with ``execute(_:)`` (or ``sync(_:)`` from a thread that
/// is not the loop, e.g. in tests).
///
/// Keep the loop out of top-level `main.swift` code: that code is main-actor isolated
/// and a closure it creates traps when run on this queue.
public final class EventLoop: Sendable {
    /// The serial queue all callbacks run on.
    public let queue: DispatchQueue

    /// Creates a loop with its own serial queue.
    public init(label: String = "tern.loop") {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the loop, asynchronously (safe from any thread, including the loop).
    public func execute(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Runs `body` on the loop and waits for its result. Never call this on the loop itself
    /// (it would deadlock; a precondition checks it).
    public func sync<T>(_ body: () throws -> T) rethrows -> T {
        dispatchPrecondition(condition: .notOnQueue(queue))
        return try queue.sync(execute: body)
    }

    /// Monotonic time in nanoseconds (`DispatchTime.now().uptimeNanoseconds`, the clock the
    /// loop's timers use). Only differences are meaningful.
    public var now: UInt64 { EventLoop.now }

    /// Monotonic time in nanoseconds, as ``now``.
    public static var now: UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Traps unless the caller runs on the loop queue.
    public func assertOnLoop() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}

extension Duration {
    /// The duration in whole nanoseconds, clamped to `0...UInt64.max`.
    var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 || (seconds == 0 && attoseconds <= 0) { return 0 }
        let (whole, overflow) = UInt64(seconds).multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .max }
        let (sum, overflow2) = whole.addingReportingOverflow(UInt64(attoseconds / 1_000_000_000))
        return overflow2 ? .max : sum
    }
}
