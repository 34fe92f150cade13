import CCurl
import Foundation

/// A running watch on a key range: one streaming `POST /v3/watch` on a thread of its own,
/// reporting through the `onEvent` closure given to `EtcdClient.watch(prefix:fromRevision:prevKV:onEvent:)`.
///
/// `onEvent` is called on the watch's thread, one call at a time, in revision order; it should
/// hand work off rather than block. `cancel()` ends the watch promptly (libcurl's multi interface
/// polls with `curl_multi_wakeup` to interrupt it) and, called from any other thread, returns only
/// when the thread has finished: after it returns `onEvent` is never called again. A watch keeps
/// running until canceled or ended by a final `.compacted`/`.dropped` event.
///
/// A member that vanishes without closing the connection is noticed through TCP keepalive
/// (5 s idle, 5 s interval).
public final class EtcdWatch: @unchecked Sendable {
    /// The range watched: `key` up to `rangeEnd` (exclusive), raw bytes as sent to etcd.
    public let key: [UInt8]
    public let rangeEnd: [UInt8]

    private let endpoints: [String]
    private let tls: EtcdTLS?
    private let connectTimeoutMS: Int
    private let prevKV: Bool
    private let onEvent: @Sendable (EtcdWatchEvent) -> Void

    private let state = NSCondition()   // guards everything below
    private var cancelled = false
    private var finished = false
    private var multi: UnsafeMutableRawPointer?
    private var next: Int64
    private var thread: Thread?

    init(endpoints: [String], tls: EtcdTLS?, connectTimeoutMS: Int, key: [UInt8], rangeEnd: [UInt8],
         fromRevision: Int64, prevKV: Bool, onEvent: @escaping @Sendable (EtcdWatchEvent) -> Void) {
        self.endpoints = endpoints
        self.tls = tls
        self.connectTimeoutMS = connectTimeoutMS
        self.key = key
        self.rangeEnd = rangeEnd
        self.prevKV = prevKV
        self.onEvent = onEvent
        self.next = max(0, fromRevision)
        let t = Thread { [self] in run() }
        t.name = "etcd-watch"
        thread = t
        t.start()
    }

    /// The revision a new watch should start from to continue this one without a gap: the last
    /// delivered event's mod revision + 1 (0 until anything is known, for a watch from now).
    public var nextRevision: Int64 { state.withLock { next } }

    /// True once the watch has ended (canceled, compacted or dropped).
    public var isFinished: Bool { state.withLock { finished } }

    /// Ends the watch: closes the stream and, unless called from `onEvent` itself, waits until
    /// the watch thread has finished. Idempotent.
    public func cancel() {
        state.lock()
        cancelled = true
        if let multi { curl_multi_wakeup(multi) }   // under the lock: the stream frees `multi` under it too
        let onOwnThread = Thread.current === thread
        while !onOwnThread && !finished { state.wait() }
        state.unlock()
    }

    // MARK: The watch thread

    private var isCancelled: Bool { state.withLock { cancelled } }

    private func deliver(_ event: EtcdWatchEvent) {
        guard !isCancelled else { return }
        onEvent(event)
    }

    private func run() {
        var failures: [EtcdError.EndpointFailure] = []
        loop: for endpoint in endpoints where !isCancelled {
            switch stream(endpoint) {
            case .canceled:
                break loop
            case .notConnected(let message):
                failures.append(.init(endpoint: endpoint, message: message))
            case .ended(let event):
                deliver(event)
                failures = []
                break loop
            }
        }
        if !failures.isEmpty { deliver(.dropped(.unreachable(failures), resumeFrom: nextRevision)) }
        state.withLock {
            finished = true
            state.broadcast()
        }
    }

    private enum StreamEnd {
        case canceled
        case notConnected(String)
        case ended(EtcdWatchEvent)
    }

    /// One watch stream on one endpoint, until it ends.
    private func stream(_ endpoint: String) -> StreamEnd {
        let path = "/v3/watch"
        var create: [String: Any] = ["key": Wire.b64(key), "range_end": Wire.b64(rangeEnd)]
        let from = nextRevision
        if from > 0 { create["start_revision"] = String(from) }
        if prevKV { create["prev_kv"] = true }
        let body = (try? JSONSerialization.data(withJSONObject: ["create_request": create])) ?? Data()

        let easy = CurlEasy()
        var received = Data()
        let sink = CurlSink { bytes in
            received.append(contentsOf: bytes)
            return true
        }
        easy.prepare(url: endpoint + path, body: body, timeoutMS: nil, connectTimeoutMS: connectTimeoutMS, tls: tls, sink: sink)
        tern_curl_setopt_long(easy.handle, CURLOPT_TCP_KEEPALIVE, 1)
        tern_curl_setopt_long(easy.handle, CURLOPT_TCP_KEEPIDLE, 5)
        tern_curl_setopt_long(easy.handle, CURLOPT_TCP_KEEPINTVL, 5)

        guard let m = curl_multi_init() else { return .notConnected("curl_multi_init failed") }
        curl_multi_add_handle(m, easy.handle)
        let alreadyCanceled: Bool = state.withLock {
            multi = m
            return cancelled
        }
        defer {
            state.withLock { multi = nil }
            curl_multi_remove_handle(m, easy.handle)
            curl_multi_cleanup(m)
        }
        if alreadyCanceled { return .canceled }

        var established = false
        var running: Int32 = 1
        return withExtendedLifetime(sink) { () -> StreamEnd in
            while true {
                curl_multi_perform(m, &running)
                let status = easy.responseCode
                if status == 200 {
                    // Complete lines: one JSON object each.
                    while let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                        let line = received[received.startIndex..<newline]
                        received = Data(received[received.index(after: newline)...])
                        if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) { continue }
                        if let end = handle(line: Data(line), endpoint: endpoint, established: &established) {
                            return end
                        }
                    }
                }
                if running == 0 {
                    var code = CURLE_OK
                    _ = tern_curl_multi_next_done(m, &code)
                    if isCancelled { return .canceled }
                    if code == CURLE_OK && status != 200 {
                        let e = EtcdClient.httpError(endpoint: endpoint, path: path, status: status, body: received)
                        return .ended(.dropped(e, resumeFrom: nextRevision))
                    }
                    if case .notSent(let message) = easy.outcome(code, body: Data()), !established {
                        return .notConnected(message)
                    }
                    let message = code == CURLE_OK ? "the server ended the stream" : easy.message(code)
                    return .ended(.dropped(.streamDropped(endpoint: endpoint, message: message), resumeFrom: nextRevision))
                }
                if isCancelled { return .canceled }
                curl_multi_poll(m, nil, 0, 1000, nil)
                if isCancelled { return .canceled }
            }
        }
    }

    /// Handles one line of the stream; a final event when the watch is over.
    private func handle(line: Data, endpoint: String, established: inout Bool) -> StreamEnd? {
        let path = "/v3/watch"
        let parsed: Wire.StreamLine<Wire.WatchResponse>
        switch Wire.decode(Wire.StreamLine<Wire.WatchResponse>.self, from: line) {
        case .success(let value): parsed = value
        case .failure(let detail):
            return .ended(.dropped(.malformedResponse(endpoint: endpoint, path: path, detail: detail.text),
                                   resumeFrom: nextRevision))
        }
        if let e = parsed.error {
            return .ended(.dropped(.watchCanceled(endpoint: endpoint, reason: e.message ?? "stream error (gRPC code \(e.grpcCode ?? -1))"),
                                   resumeFrom: nextRevision))
        }
        guard let r = parsed.result else {
            return .ended(.dropped(.malformedResponse(endpoint: endpoint, path: path,
                                                      detail: "line without result or error: " + Wire.excerpt(line)),
                                   resumeFrom: nextRevision))
        }
        let headerRevision = r.header?.revision?.value ?? 0
        if r.canceled ?? false {
            if let compact = r.compactRevision?.value, compact > 0 { return .ended(.compacted(compactRevision: compact)) }
            return .ended(.dropped(.watchCanceled(endpoint: endpoint, reason: r.cancelReason ?? "no reason given"),
                                   resumeFrom: nextRevision))
        }
        if r.created ?? false {
            established = true
            state.withLock { if next == 0 { next = headerRevision + 1 } }
            deliver(.started(revision: headerRevision))
        }
        guard let wireEvents = r.events, !wireEvents.isEmpty else { return nil }
        var events: [EtcdEvent] = []
        for (i, e) in wireEvents.enumerated() {
            guard let wkv = e.kv, case .success(let kv) = wkv.keyValue() else {
                return .ended(.dropped(.malformedResponse(endpoint: endpoint, path: path,
                                                          detail: "events[\(i)]: missing or non-UTF-8 kv"),
                                       resumeFrom: nextRevision))
            }
            let kind: EtcdEvent.Kind = e.type == "DELETE" ? .delete : .put
            var prev: KeyValue?
            if let p = e.prevKv, case .success(let pkv) = p.keyValue() { prev = pkv }
            events.append(EtcdEvent(kind: kind, kv: kv, prevKV: prev))
        }
        if let last = events.last?.modRevision { state.withLock { next = max(next, last + 1) } }
        deliver(.events(EtcdWatchBatch(headerRevision: headerRevision, events: events)))
        return nil
    }
}
