import EventLoop
import Foundation
import IPCore
import RIB
import TernAPI

/// One `tern routes` answer being written (issue 11 items 2 and 3): the whole table is never
/// built on the loop. The prefixes are listed at the start (and sorted off the loop); then
/// each loop turn converts at most ``chunk`` routes, as each stands at that moment (encoded
/// to JSON off the loop, one chunk in flight), and only
/// while the client's buffer is below its high watermark (``UnixSocketConnection/isWritable``;
/// it resumes on ``UnixSocketConnection/onWritable``). So an answer of any size streams in
/// bounded memory per client, the loop keeps turning (keepalives go out), and a client that
/// stops reading is dropped after ``stallTimeout`` instead of being buffered without end.
///
/// The line is the same JSON a single `Response` would be: `{"apiVersion":1,"ok":true,"routes":[...]}`.
final class RouteStream: @unchecked Sendable {   // confined to the loop
    /// Routes encoded per loop turn.
    let chunk: Int
    /// A client that takes nothing for this many seconds is dropped.
    let stallTimeout: UInt64
    /// Nanoseconds of route conversion per turn (encoding takes about as long again).
    static let timeBudget: UInt64 = 3_000_000

    let connection: UnixSocketConnection
    private unowned let node: Node
    private var prefixes: [IPPrefix] = []
    private var index = 0
    private var wroteOne = false
    private var lastProgress = EventLoop.now
    private var watchdog: LoopTimer?
    private var done = false
    /// A chunk is being encoded off the loop.
    private var encoding = false
    /// Where chunks are encoded to JSON (shared by every stream; each has one chunk in flight).
    private static let encoders = DispatchQueue(label: "tern.route-stream.encode", qos: .utility, attributes: .concurrent)
    /// Runs on the loop when the answer is complete or the client was dropped.
    var onFinish: (() -> Void)?

    init(node: Node, connection: UnixSocketConnection, chunk: Int = 2000, stallTimeout: UInt64 = 30) {
        self.node = node
        self.connection = connection
        self.chunk = max(1, chunk)
        self.stallTimeout = stallTimeout
    }

    /// Lists the prefixes (a copy of the keys: cheap) and sorts them on a utility queue, or
    /// joins the sort already running for another answer (so ten clients cost one sort, not
    /// ten competing with the loop for the CPU), then streams.
    func start() {
        let sort: SharedPrefixSort
        if let running = node.prefixSort { sort = running } else {
            sort = SharedPrefixSort(loop: node.loop, unsorted: node.rib.prefixes()) { [weak node] in node?.prefixSort = nil }
            node.prefixSort = sort
        }
        sort.whenSorted { [self] sorted in
            prefixes = sorted
            guard connection.send(fragment: #"{"apiVersion":\#(ControlProtocol.version),"ok":true,"routes":["#) else { return finish() }
            connection.onWritable = { [weak self] in self?.pump() }
            let timer = LoopTimer(on: node.loop) { [weak self] in self?.checkStall() }
            timer.arm(after: .seconds(1))
            watchdog = timer
            pump()
        }
    }

    /// Converts the next chunk on the loop (the RIB lives there) and encodes it to JSON on a
    /// utility queue, so the loop thread stays mostly idle while answers stream: a busy
    /// thread waits longest for a CPU on a loaded machine, a sleeper gets one at once, and
    /// keepalives go out on time (issue 11: beside the CNI topologies the loop, encoding
    /// itself, waited for a CPU 6.4 s of 7.3 s). One chunk is in flight per stream, so
    /// fragments stay in order; the next chunk starts when this one has been queued.
    func pump() {
        guard !done, !encoding else { return }
        if connection.isClosed { return finish() }
        var rows: [ControlProtocol.Route] = []
        var budget = chunk
        // At most `chunk` routes and about `timeBudget` of work per turn, whichever comes first,
        // so that a slow (debug, loaded) machine still turns the loop often enough for
        // keepalives, however many clients are streaming at once.
        let started = EventLoop.now
        while budget > 0, index < prefixes.count {
            defer { index += 1; budget -= 1 }
            if let view = node.rib.route(for: prefixes[index]) { rows.append(node.route(view)) }   // else withdrawn meanwhile
            if budget % 64 == 0, EventLoop.now &- started > Self.timeBudget { break }
        }
        if rows.isEmpty { return queued(nil) }
        encoding = true
        let first = !wroteOne
        wroteOne = true
        let loop = node.loop
        let batch = rows
        Self.encoders.async { [self] in
            // One encoder call per chunk; its "[...]" without the brackets joins the array.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let text = (try? encoder.encode(batch)).map { data in
                (first ? "" : ",") + String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
            }
            loop.execute { [self] in
                encoding = false
                guard !done else { return }
                guard let text else { return finish() }
                queued(text)
            }
        }
    }

    /// Queues an encoded chunk (nil: nothing to send this turn), ends the answer after the
    /// last one, or schedules the next chunk: next turn if the client keeps up, else when it
    /// has drained (onWritable).
    private func queued(_ text: String?) {
        if let text {
            lastProgress = EventLoop.now
            guard connection.send(fragment: text) else { return finish() }
        }
        if index >= prefixes.count {
            connection.send(fragment: "]}", endOfLine: true)
            return finish()
        }
        if connection.isWritable { node.loop.execute { [weak self] in self?.pump() } }
    }

    private func checkStall() {
        guard !done else { return }
        if connection.isClosed { return finish() }
        let stalled = EventLoop.now &- lastProgress
        guard connection.isWritable == false, stalled > stallTimeout * 1_000_000_000 else {
            if connection.isWritable { lastProgress = EventLoop.now }
            watchdog?.arm(after: .seconds(1))
            return
        }
        node.logger.warning("control client stopped reading its routes answer (\(index) of \(prefixes.count) routes sent, \(connection.bufferedBytes) bytes waiting) for \(stallTimeout) s: dropped")
        node.dropControlConnection(connection)
        finish()
    }

    private func finish() {
        guard !done else { return }
        done = true
        watchdog?.invalidate()
        watchdog = nil
        connection.onWritable = nil
        prefixes = []
        onFinish?()
    }
}
