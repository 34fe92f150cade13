import Foundation

/// A blocking client for etcd v3, Tern's cluster datastore.
///
/// It speaks etcd's v3 JSON gateway (HTTP/1.1 POSTs of proto3 JSON to `/v3/kv/range`,
/// `/v3/kv/txn`, `/v3/lease/grant`, `/v3/watch`, …) through libcurl: no gRPC/HTTP2 stack and no
/// SwiftNIO, just a mature HTTP client library with keep-alive, TLS and precise error messages,
/// over the gateway every etcd 3.4+ member serves on its client URL. Keys are base64-encoded
/// UTF-8 paths, values opaque bytes (see `KeyValue`). Conditional writes (`create`, `update`,
/// `delete(_:ifModRevision:)`) are single transactions, like Calico's etcdv3 backend.
///
/// Threading: every call blocks its caller until etcd answers or `requestTimeout` passes. Calls
/// are serialised on an internal lock (one connection, reused), so the client is safe to share,
/// but it is meant to live on the datastore's own queue — never on the BGP event loop. Watches
/// run on their own threads (`watch(prefix:fromRevision:onEvent:)`).
///
/// Endpoints: requests go to the endpoint that last worked; when it cannot be connected to, the
/// next ones are tried in order (and remembered on success), so a 3-member cluster that loses a
/// member keeps working. Reads and plain puts/deletes are also retried elsewhere when a
/// connection breaks mid-request; transactions and lease grants are not (they might have been
/// applied) and fail with `EtcdError.connectionLost`.
public final class EtcdClient: @unchecked Sendable {
    /// The endpoints' base URLs (`http://127.0.0.1:2379`), in the order given.
    public let endpoints: [String]
    /// TLS files for `https://` endpoints.
    public let tls: EtcdTLS?
    /// Upper bound of one request on one endpoint (libcurl's CURLOPT_TIMEOUT_MS).
    public let requestTimeout: Duration
    /// Upper bound of connecting to one endpoint before the next one is tried.
    public let connectTimeout: Duration

    private let lock = NSLock()
    private var preferred = 0           // guarded by lock
    private let easy = CurlEasy()       // guarded by lock

    /// - Parameters:
    ///   - endpoints: base URLs (`http://host:port`, `https://…`); a bare `host:port` gets
    ///     `http://` (`https://` when `tls` is given).
    ///   - requestTimeout: per request and endpoint.
    ///   - connectTimeout: per connection attempt; keep it short so a dead member costs little.
    /// - Throws: `EtcdError.invalidArgument` for an empty list or an endpoint that is not a URL.
    public init(endpoints: [String], tls: EtcdTLS? = nil, requestTimeout: Duration = .seconds(5),
                connectTimeout: Duration = .seconds(1)) throws(EtcdError) {
        guard !endpoints.isEmpty else { throw .invalidArgument("no etcd endpoints given") }
        var normalized: [String] = []
        for raw in endpoints {
            var e = raw.trimmingCharacters(in: .whitespaces)
            if !e.contains("://") { e = (tls == nil ? "http://" : "https://") + e }
            while e.hasSuffix("/") { e.removeLast() }
            guard let url = URL(string: e), let scheme = url.scheme, ["http", "https"].contains(scheme),
                  url.host != nil, url.path.isEmpty else {
                throw .invalidArgument("endpoint \"\(raw)\" is not an http(s)://host:port URL")
            }
            normalized.append(e)
        }
        self.endpoints = normalized
        self.tls = tls
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
    }

    /// `init(endpoints:)` with URLs.
    public convenience init(endpoints: [URL], tls: EtcdTLS? = nil, requestTimeout: Duration = .seconds(5),
                            connectTimeout: Duration = .seconds(1)) throws(EtcdError) {
        try self.init(endpoints: endpoints.map(\.absoluteString), tls: tls, requestTimeout: requestTimeout,
                      connectTimeout: connectTimeout)
    }

    /// The endpoint the next request goes to first (the one that last answered).
    public var currentEndpoint: String { lock.withLock { endpoints[preferred] } }

    // MARK: KV

    /// The key's current value, nil when absent (etcd `Range` on one key, `/v3/kv/range`).
    public func get(_ key: String) throws(EtcdError) -> KeyValue? {
        let r: Wire.RangeResponse = try call("/v3/kv/range", ["key": Wire.b64(key)], retry: .anywhere)
        return try keyValues(r.kvs, path: "/v3/kv/range").first
    }

    /// Every key starting with `prefix`, in key order, and the store revision they were read at
    /// (etcd `Range` with `range_end` = prefix + 1). Read in pages of `pageSize` keys, every page
    /// at the first page's revision, so the result is one consistent snapshot.
    /// - Parameter atRevision: read the keyspace as it was at that revision (0: now).
    /// - Throws: `EtcdError.compacted` when that revision (or the snapshot, between pages) has
    ///   been compacted.
    public func list(prefix: String, atRevision: Int64 = 0, pageSize: Int = 500) throws(EtcdError)
        -> (items: [KeyValue], revision: Int64) {
        let prefixBytes = Array(prefix.utf8)
        let end = Wire.b64(Wire.prefixEnd(prefixBytes))
        var start = prefixBytes.isEmpty ? [0] : prefixBytes
        var revision = atRevision
        var items: [KeyValue] = []
        while true {
            var body: [String: Any] = ["key": Wire.b64(start), "range_end": end, "limit": String(max(1, pageSize))]
            if revision > 0 { body["revision"] = String(revision) }
            let r: Wire.RangeResponse
            do throws(EtcdError) {
                r = try call("/v3/kv/range", body, retry: .anywhere)
            } catch {
                if case .http(_, _, _, 11, let message) = error, message.contains("compacted") {
                    throw .compacted(revision: revision)
                }
                throw error
            }
            if revision == 0 { revision = r.header?.revision?.value ?? 0 }
            let page = try keyValues(r.kvs, path: "/v3/kv/range")
            items += page
            guard r.more ?? false, let last = page.last else { break }
            start = Array(last.key.utf8) + [0]       // the smallest key after `last`
        }
        return (items, revision)
    }

    /// Sets the key unconditionally (etcd `Put`, `/v3/kv/put`; Calico's Apply) and returns the
    /// revision of the write. `lease` 0 detaches any lease.
    @discardableResult
    public func put(_ key: String, _ value: Data, lease: Int64 = 0) throws(EtcdError) -> Int64 {
        var body: [String: Any] = ["key": Wire.b64(key), "value": value.base64EncodedString()]
        if lease != 0 { body["lease"] = String(lease) }
        let r: Wire.PutResponse = try call("/v3/kv/put", body, retry: .anywhere)
        return r.header?.revision?.value ?? 0
    }

    /// `put` of UTF-8 text.
    @discardableResult
    public func put(_ key: String, _ value: String, lease: Int64 = 0) throws(EtcdError) -> Int64 {
        try put(key, Data(value.utf8), lease: lease)
    }

    /// Deletes one key unconditionally (`/v3/kv/deleterange`); true when it existed.
    @discardableResult
    public func delete(_ key: String) throws(EtcdError) -> Bool {
        let r: Wire.DeleteRangeResponse = try call("/v3/kv/deleterange", ["key": Wire.b64(key)], retry: .anywhere)
        return (r.deleted?.value ?? 0) > 0
    }

    /// Deletes every key starting with `prefix`; returns how many there were.
    @discardableResult
    public func delete(prefix: String) throws(EtcdError) -> Int64 {
        let bytes = Array(prefix.utf8)
        let body = ["key": Wire.b64(bytes.isEmpty ? [0] : bytes), "range_end": Wire.b64(Wire.prefixEnd(bytes))]
        let r: Wire.DeleteRangeResponse = try call("/v3/kv/deleterange", body, retry: .anywhere)
        return r.deleted?.value ?? 0
    }

    /// Compacts the key-value history up to `revision` (`/v3/kv/compaction`): older revisions
    /// can no longer be read or watched from. `physical` waits until the space is reclaimed.
    public func compact(revision: Int64, physical: Bool = false) throws(EtcdError) {
        let _: Wire.CompactionResponse = try call("/v3/kv/compaction", ["revision": String(revision), "physical": physical],
                                                  retry: .anywhere)
    }

    // MARK: Conditional writes (/v3/kv/txn)

    /// Writes the key only if it does not exist: `Txn If(CreateRevision(key) == 0) Then Put
    /// Else Get` (Calico's Create). The gateway omits zero values, so the compare spells out
    /// `"target":"CREATE","create_revision":"0"`.
    public func create(_ key: String, _ value: Data, lease: Int64 = 0) throws(EtcdError) -> EtcdWriteResult {
        try conditional(key, compare: ["target": "CREATE", "create_revision": "0"], then: putOp(key, value, lease: lease))
    }

    /// Replaces the key only if its mod revision is still `ifModRevision`: `Txn
    /// If(ModRevision(key) == rev) Then Put Else Get` (Calico's Update). Pass the `modRevision`
    /// of the value read; an absent key is a conflict with `current` nil.
    public func update(_ key: String, _ value: Data, ifModRevision: Int64, lease: Int64 = 0) throws(EtcdError) -> EtcdWriteResult {
        guard ifModRevision > 0 else { throw .invalidArgument("update(\(key)): ifModRevision must be > 0 (use create)") }
        return try conditional(key, compare: ["target": "MOD", "mod_revision": String(ifModRevision)],
                               then: putOp(key, value, lease: lease))
    }

    /// Deletes the key only if its mod revision is still `ifModRevision`: `Txn
    /// If(ModRevision(key) == rev) Then Delete Else Get` (Calico's Delete).
    public func delete(_ key: String, ifModRevision: Int64) throws(EtcdError) -> EtcdWriteResult {
        guard ifModRevision > 0 else { throw .invalidArgument("delete(\(key)): ifModRevision must be > 0") }
        return try conditional(key, compare: ["target": "MOD", "mod_revision": String(ifModRevision)],
                               then: ["request_delete_range": ["key": Wire.b64(key)]])
    }

    private func putOp(_ key: String, _ value: Data, lease: Int64) -> [String: Any] {
        var put: [String: Any] = ["key": Wire.b64(key), "value": value.base64EncodedString()]
        if lease != 0 { put["lease"] = String(lease) }
        return ["request_put": put]
    }

    /// `Txn If(compare on key, EQUAL) Then op Else Range(key)`; the failure branch's range is the
    /// conflict's current value.
    private func conditional(_ key: String, compare: [String: Any], then op: [String: Any]) throws(EtcdError) -> EtcdWriteResult {
        var cmp = compare
        cmp["key"] = Wire.b64(key)
        cmp["result"] = "EQUAL"
        let body: [String: Any] = [
            "compare": [cmp],
            "success": [op],
            "failure": [["request_range": ["key": Wire.b64(key)]]],
        ]
        let r: Wire.TxnResponse = try call("/v3/kv/txn", body, retry: .onlyIfNotSent)
        let revision = r.header?.revision?.value ?? 0
        if r.succeeded ?? false { return .ok(revision: revision) }
        guard let range = r.responses?.first?.responseRange else {
            throw .malformedResponse(endpoint: currentEndpoint, path: "/v3/kv/txn",
                                     detail: "failed compare without the failure branch's response_range")
        }
        return .conflict(current: try keyValues(range.kvs, path: "/v3/kv/txn").first, revision: revision)
    }

    // MARK: Leases

    /// Grants a lease of `ttl` seconds (`/v3/lease/grant`) and returns its ID; attach it with
    /// `put(_:_:lease:)`, keep it with `keepAlive`. etcd raises TTLs below its minimum
    /// (1.5 × election timeout).
    public func grantLease(ttl: Int64) throws(EtcdError) -> Int64 {
        let r: Wire.LeaseGrantResponse = try call("/v3/lease/grant", ["TTL": String(ttl)], retry: .onlyIfNotSent)
        if let error = r.error, !error.isEmpty {
            throw .http(endpoint: currentEndpoint, path: "/v3/lease/grant", status: 200, code: nil, message: error)
        }
        guard let id = r.ID?.value, id != 0 else {
            throw .malformedResponse(endpoint: currentEndpoint, path: "/v3/lease/grant", detail: "no lease ID in the answer")
        }
        return id
    }

    /// Renews the lease once and returns its TTL in seconds (`/v3/lease/keepalive`: a stream in
    /// the gateway; one request with one answer is a single keepalive).
    /// - Throws: `EtcdError.leaseNotFound` when the lease has expired or been revoked (the
    ///   gateway answers without a TTL).
    @discardableResult
    public func keepAlive(_ id: Int64) throws(EtcdError) -> Int64 {
        let line: Wire.StreamLine<Wire.LeaseKeepAliveResponse> = try call("/v3/lease/keepalive", ["ID": String(id)],
                                                                         retry: .anywhere, firstLineOnly: true)
        if let e = line.error {
            throw .http(endpoint: currentEndpoint, path: "/v3/lease/keepalive", status: e.httpCode ?? 200,
                        code: e.grpcCode, message: e.message ?? "stream error")
        }
        guard let ttl = line.result?.TTL?.value, ttl > 0 else { throw .leaseNotFound(id: id) }
        return ttl
    }

    /// Revokes the lease (`/v3/lease/revoke`): every key attached to it is deleted.
    /// - Throws: `EtcdError.leaseNotFound` for an unknown lease.
    public func revoke(_ id: Int64) throws(EtcdError) {
        do throws(EtcdError) {
            let _: Wire.LeaseRevokeResponse = try call("/v3/lease/revoke", ["ID": String(id)], retry: .anywhere)
        } catch {
            if case .http(_, _, _, 5, let message) = error, message.contains("lease not found") {
                throw .leaseNotFound(id: id)
            }
            throw error
        }
    }

    // MARK: Watch

    /// Watches every key under `prefix` (`/v3/watch`, one streaming POST on a thread of its own)
    /// and calls `onEvent` on that thread, in revision order: `.started`, then `.events` batches,
    /// until `cancel()`, or a final `.compacted` or `.dropped`.
    /// - Parameters:
    ///   - fromRevision: the first revision to deliver (0: changes after now). Resume a dropped
    ///     watch from the `resumeFrom` it reported.
    ///   - prevKV: ask etcd for each event's previous value (`prev_kv`).
    public func watch(prefix: String, fromRevision: Int64 = 0, prevKV: Bool = false,
                      onEvent: @escaping @Sendable (EtcdWatchEvent) -> Void) -> EtcdWatch {
        let order = lock.withLock { (0..<endpoints.count).map { endpoints[(preferred + $0) % endpoints.count] } }
        let bytes = Array(prefix.utf8)
        return EtcdWatch(endpoints: order, tls: tls, connectTimeoutMS: Self.milliseconds(connectTimeout),
                         key: bytes.isEmpty ? [0] : bytes, rangeEnd: Wire.prefixEnd(bytes),
                         fromRevision: fromRevision, prevKV: prevKV, onEvent: onEvent)
    }

    // MARK: Transport

    /// Which failures may be retried on the next endpoint.
    enum Retry {
        /// Reads and idempotent writes: any transport failure.
        case anywhere
        /// Transactions and grants: only when nothing of the request was sent.
        case onlyIfNotSent
    }

    /// POSTs `body` as JSON to `path`, endpoint by endpoint from the preferred one, and decodes
    /// the 200 answer (its first line only for the gateway's streaming endpoints).
    func call<T: Decodable>(_ path: String, _ body: [String: Any], retry: Retry, firstLineOnly: Bool = false) throws(EtcdError) -> T {
        let json: Data
        do {
            json = try JSONSerialization.data(withJSONObject: body)
        } catch {
            throw .invalidArgument("cannot encode the \(path) request: \(error)")
        }
        lock.lock()
        defer { lock.unlock() }
        var failures: [EtcdError.EndpointFailure] = []
        for step in 0..<endpoints.count {
            let index = (preferred + step) % endpoints.count
            let endpoint = endpoints[index]
            switch easy.post(url: endpoint + path, body: json, timeoutMS: Self.milliseconds(requestTimeout),
                             connectTimeoutMS: Self.milliseconds(connectTimeout), tls: tls) {
            case .notSent(let message):
                failures.append(.init(endpoint: endpoint, message: message))
                continue
            case .failedAfterSend(let message):
                if retry == .anywhere {
                    failures.append(.init(endpoint: endpoint, message: message))
                    continue
                }
                throw .connectionLost(endpoint: endpoint, path: path, message: message)
            case .timedOut:
                throw .timeout(endpoint: endpoint, path: path, seconds: Double(Self.milliseconds(requestTimeout)) / 1000)
            case .response(let status, let data):
                guard status == 200 else {
                    let e = Self.httpError(endpoint: endpoint, path: path, status: status, body: data)
                    // 503 + gRPC Unavailable (no leader, member stopping): another member may serve it.
                    if retry == .anywhere, status == 503, case .http(_, _, _, 14, let message) = e {
                        failures.append(.init(endpoint: endpoint, message: "HTTP 503: \(message)"))
                        continue
                    }
                    throw e
                }
                preferred = index
                var payload = data
                if firstLineOnly, let newline = data.firstIndex(of: UInt8(ascii: "\n")) {
                    payload = data[data.startIndex..<newline]
                }
                switch Wire.decode(T.self, from: payload) {
                case .success(let value): return value
                case .failure(let detail): throw .malformedResponse(endpoint: endpoint, path: path, detail: detail.text)
                }
            }
        }
        throw .unreachable(failures)
    }

    static func httpError(endpoint: String, path: String, status: Int, body: Data) -> EtcdError {
        if case .success(let e) = Wire.decode(Wire.ErrorBody.self, from: body), let message = e.message ?? e.error {
            return .http(endpoint: endpoint, path: path, status: status, code: e.code, message: message)
        }
        let text = Wire.excerpt(body).trimmingCharacters(in: .whitespacesAndNewlines)
        return .http(endpoint: endpoint, path: path, status: status, code: nil, message: text.isEmpty ? "(empty body)" : text)
    }

    private func keyValues(_ kvs: [Wire.KV]?, path: String) throws(EtcdError) -> [KeyValue] {
        var out: [KeyValue] = []
        out.reserveCapacity(kvs?.count ?? 0)
        for (i, kv) in (kvs ?? []).enumerated() {
            switch kv.keyValue() {
            case .success(let value): out.append(value)
            case .failure(let detail):
                throw .malformedResponse(endpoint: currentEndpoint, path: path, detail: "kvs[\(i)]: \(detail.text)")
            }
        }
        return out
    }

    static func milliseconds(_ d: Duration) -> Int {
        let c = d.components
        return max(1, Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000))
    }
}
