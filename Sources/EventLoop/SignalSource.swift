import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Delivers signals (SIGHUP to reload, SIGTERM/SIGINT to stop) as callbacks on the loop.
///
/// The default disposition of each signal is set to `SIG_IGN` first (otherwise the
/// process would die before Dispatch sees it); the Dispatch sources are retained here
/// (a released source is cancelled silently). Keep the `SignalSource` alive.
///
/// ```swift
/// let signals = SignalSource(signals: [SIGHUP, SIGTERM, SIGINT], on: loop) { signal in
///     signal == SIGHUP ? daemon.reload() : daemon.shutdown()
/// }
/// ```
public final class SignalSource: @unchecked Sendable {
    // All mutable state is confined to `loop.queue`.
    private let loop: EventLoop
    private var sources: [DispatchSourceSignal]
    private var handler: ((Int32) -> Void)?

    /// The signals handled.
    public let signals: [Int32]

    /// Starts handling `signals`; `handler` runs on the loop with the signal number.
    /// May be called from any thread.
    public init(signals: [Int32], on loop: EventLoop, handler: @escaping (Int32) -> Void) {
        self.loop = loop
        self.signals = signals
        self.handler = handler
        sources = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: loop.queue)
            source.setEventHandler { [weak self] in self?.handler?(number) }
            source.activate()
            sources.append(source)
        }
    }

    /// Stops delivering signals (their disposition stays `SIG_IGN`). Idempotent.
    /// Call on the loop.
    public func cancel() {
        loop.assertOnLoop()
        handler = nil
        sources.forEach { $0.cancel() }
        sources = []
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
