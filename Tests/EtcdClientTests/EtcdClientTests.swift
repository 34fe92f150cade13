import EtcdClient
import EtcdTestSupport
import Foundation
import Testing

/// Against a real etcd 3.4 each test starts for itself (EtcdServer): no shared state, no mocks.
/// Skipped, and reported as skipped, when the `etcd` binary is not on PATH (`make deps`
/// installs etcd-server).
@Suite(.enabled(if: EtcdServer.available, "etcd is not on PATH (apt-get install etcd-server)"), .timeLimit(.minutes(1)))
struct EtcdClientTests {
    @Test func putGetListDeleteRoundTripIsBinaryAndUnicodeSafe() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()

        let binary = Data((0...255).map { UInt8($0) } + [0, 0, 0xFF])
        let unicodeKey = "/tern/rt/ünïcödé/日本/🚀"
        let r1 = try c.put("/tern/rt/binary", binary)
        let r2 = try c.put(unicodeKey, "héllo ✓ 🚀 \u{0}end")
        let r3 = try c.put("/tern/rt/empty", Data())
        #expect(r1 > 0 && r2 == r1 + 1 && r3 == r2 + 1)

        let b = try #require(try c.get("/tern/rt/binary"))
        #expect(b.value == binary)
        #expect(b.createRevision == r1 && b.modRevision == r1 && b.version == 1 && b.lease == 0)
        #expect(try c.get(unicodeKey)?.string == "héllo ✓ 🚀 \u{0}end")
        // An empty value is omitted on the wire (proto3 default) but the key exists.
        #expect(try c.get("/tern/rt/empty")?.value == Data())
        #expect(try c.get("/tern/rt/absent") == nil)

        try c.put("/tern/rtX", "outside the prefix")
        let listed = try c.list(prefix: "/tern/rt/")
        #expect(listed.items.map(\.key) == ["/tern/rt/binary", "/tern/rt/empty", unicodeKey])
        #expect(listed.revision == r3 + 1)

        #expect(try c.delete("/tern/rt/binary") == true)
        #expect(try c.delete("/tern/rt/binary") == false)
        #expect(try c.get("/tern/rt/binary") == nil)
        #expect(try c.delete(prefix: "/tern/rt/") == 2)
        #expect(try c.list(prefix: "/tern/rt/").items.isEmpty)
        #expect(try c.get("/tern/rtX") != nil)
    }

    @Test func listOfAThousandKeysReadsEveryPageAtOneRevision() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        // Siblings right at the range's edges must stay out: `/tern/list0` is the range_end.
        try c.put("/tern/list", "edge")
        try c.put("/tern/list0", "edge")
        let keys = (0..<1000).map { String(format: "/tern/list/%04d", $0) }
        for k in keys { try c.put(k, "{\"n\":\"\(k.suffix(4))\"}") }

        let all = try c.list(prefix: "/tern/list/")      // pages of 500: two `more` round trips
        #expect(all.items.count == 1000)
        #expect(all.items.map(\.key) == keys)
        #expect(all.items.last?.string == "{\"n\":\"0999\"}")
        let small = try c.list(prefix: "/tern/list/", pageSize: 7)
        #expect(small.items == all.items && small.revision == all.revision)

        // A page read at the snapshot's revision does not see later writes.
        try c.put("/tern/list/0000", "changed")
        let old = try c.list(prefix: "/tern/list/", atRevision: all.revision, pageSize: 300)
        #expect(old.items == all.items)
        #expect(old.revision == all.revision)
    }

    @Test func createOnAnExistingKeyConflictsWithTheCurrentValue() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let first = try c.create("/calico/ipam/v2/assignment/ipv4/block/10.0.1.0-26", Data("mine".utf8))
        guard case .ok(let rev) = first else { Issue.record("create of an absent key: \(first)"); return }
        let second = try c.create("/calico/ipam/v2/assignment/ipv4/block/10.0.1.0-26", Data("theirs".utf8))
        guard case .conflict(let current, let at) = second else { Issue.record("second create: \(second)"); return }
        #expect(current?.string == "mine")
        #expect(current?.modRevision == rev && current?.createRevision == rev)
        #expect(at == rev)          // nothing was written
        #expect(try c.get("/calico/ipam/v2/assignment/ipv4/block/10.0.1.0-26")?.string == "mine")
    }

    @Test func updateWithAStaleModRevisionConflictsAndWithTheRightOneSucceeds() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let key = "/calico/resources/v3/projectcalico.org/nodes/node1"
        let r1 = try c.put(key, "v1")
        let r2 = try c.put(key, "v2")
        let stale = try c.update(key, Data("v3".utf8), ifModRevision: r1)
        #expect(stale == .conflict(current: KeyValue(key: key, value: Data("v2".utf8), createRevision: r1, modRevision: r2, version: 2),
                                   revision: r2))
        let fresh = try c.update(key, Data("v3".utf8), ifModRevision: r2)
        #expect(fresh == .ok(revision: r2 + 1))
        #expect(try c.get(key)?.string == "v3")
        // Updating an absent key is a conflict without a current value, never a blind put.
        let absent = try c.update("/calico/resources/v3/projectcalico.org/nodes/ghost", Data("x".utf8), ifModRevision: r2)
        #expect(absent == .conflict(current: nil, revision: r2 + 1))
        #expect(try c.get("/calico/resources/v3/projectcalico.org/nodes/ghost") == nil)
        #expect(throws: EtcdError.invalidArgument("update(\(key)): ifModRevision must be > 0 (use create)")) {
            try c.update(key, Data(), ifModRevision: 0)
        }
    }

    @Test func deleteWithAModRevisionOnlyDeletesThatVersion() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let key = "/calico/ipam/v2/handle/k8s-pod-network.abc"
        let r1 = try c.put(key, "1")
        let r2 = try c.put(key, "2")
        let stale = try c.delete(key, ifModRevision: r1)
        guard case .conflict(let current, _) = stale else { Issue.record("stale delete: \(stale)"); return }
        #expect(current?.modRevision == r2 && current?.string == "2")
        #expect(try c.get(key) != nil)
        #expect(try c.delete(key, ifModRevision: r2) == .ok(revision: r2 + 1))
        #expect(try c.get(key) == nil)
        #expect(try c.delete(key, ifModRevision: r2) == .conflict(current: nil, revision: r2 + 1))
    }

    @Test func revokingALeaseDeletesItsKeys() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let lease = try c.grantLease(ttl: 30)
        #expect(lease != 0)
        try c.put("/coreos.com/network/subnets/10.244.1.0-24", "{\"PublicIP\":\"10.0.0.1\"}", lease: lease)
        let created = try c.create("/coreos.com/network/subnets/10.244.2.0-24", Data("{}".utf8), lease: lease)
        #expect(created.succeeded)
        #expect(try c.get("/coreos.com/network/subnets/10.244.1.0-24")?.lease == lease)
        let ttl = try c.keepAlive(lease)
        #expect(ttl > 0 && ttl <= 30)
        try c.revoke(lease)
        #expect(try c.list(prefix: "/coreos.com/network/subnets/").items.isEmpty)
        #expect(throws: EtcdError.leaseNotFound(id: lease)) { try c.keepAlive(lease) }
        #expect(throws: EtcdError.leaseNotFound(id: lease)) { try c.revoke(lease) }
    }

    @Test func aLeaseExpiresWithoutKeepAliveAndSurvivesWithIt() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let dying = try c.grantLease(ttl: 2)
        let kept = try c.grantLease(ttl: 2)
        try c.put("/tern/lease/dying", "x", lease: dying)
        try c.put("/tern/lease/kept", "x", lease: kept)
        let start = Date()
        var sawExpiry = false
        while Date().timeIntervalSince(start) < 6 {
            #expect(try c.keepAlive(kept) > 0)
            if try c.get("/tern/lease/dying") == nil { sawExpiry = true }
            if sawExpiry && Date().timeIntervalSince(start) > 3.5 { break }   // well past the 2 s TTL
            usleep(300_000)
        }
        #expect(sawExpiry, "the key of a lease without keepalive is still there after 6 s")
        #expect(try c.get("/tern/lease/kept")?.lease == kept)
        #expect(throws: EtcdError.leaseNotFound(id: dying)) { try c.keepAlive(dying) }
    }

    @Test func watchDeliversPutsAndDeletesInOrderAndResumesWithoutGaps() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        try c.put("/tern/other", "not watched")
        let from = try c.put("/tern/w/a", "1")
        try c.put("/tern/w/b", "2")
        try c.delete("/tern/w/a")
        let last = try c.put("/tern/w/b", "3")

        let log1 = WatchLog()
        let w1 = c.watch(prefix: "/tern/w/", fromRevision: from) { log1.append($0) }
        #expect(log1.wait { watchChanges($0).last?.modRevision == last })
        w1.cancel()
        #expect(w1.isFinished)
        #expect(log1.changes.map(\.description) == ["PUT /tern/w/a@\(from)", "PUT /tern/w/b@\(from + 1)",
                                                   "DELETE /tern/w/a@\(from + 2)", "PUT /tern/w/b@\(from + 3)"])
        #expect(log1.changes.last?.kv.string == "3")
        guard case .started = log1.all.first else { Issue.record("first event: \(String(describing: log1.all.first))"); return }
        #expect(w1.nextRevision == last + 1)
        let seenBeforeCancel = log1.all.count

        // Written while nobody watches; the resumed watch must see exactly these, in order.
        let r5 = try c.put("/tern/w/c", "4")
        try c.delete(prefix: "/tern/w/")
        let r7 = try c.put("/tern/w/a", "5")
        let log2 = WatchLog()
        let w2 = c.watch(prefix: "/tern/w/", fromRevision: w1.nextRevision, prevKV: true) { log2.append($0) }
        defer { w2.cancel() }
        #expect(log2.wait { watchChanges($0).last?.modRevision == r7 })
        let resumed = log2.changes
        #expect(resumed.map(\.description) == ["PUT /tern/w/c@\(r5)", "DELETE /tern/w/b@\(r5 + 1)",
                                              "DELETE /tern/w/c@\(r5 + 1)", "PUT /tern/w/a@\(r7)"])
        #expect(resumed[1].prevKV?.string == "3")                   // prev_kv on the delete
        #expect(log1.all.count == seenBeforeCancel)                 // nothing after cancel()

        // A live change arrives on the running watch too.
        let r8 = try c.put("/tern/w/live", "6")
        #expect(log2.wait { watchChanges($0).last?.modRevision == r8 })
    }

    @Test func watchFromACompactedRevisionReportsCompaction() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let first = try c.put("/tern/c/x", "1")
        try c.put("/tern/c/x", "2")
        let compactAt = try c.put("/tern/c/x", "3")
        try c.compact(revision: compactAt, physical: true)

        let log = WatchLog()
        let w = c.watch(prefix: "/tern/c/", fromRevision: first) { log.append($0) }
        #expect(log.wait { $0.contains { if case .compacted = $0 { return true } else { return false } } })
        #expect(log.all.last == .compacted(compactRevision: compactAt))
        #expect(log.changes.isEmpty)
        #expect(eventually(seconds: 5) { w.isFinished })
        w.cancel()

        #expect(throws: EtcdError.compacted(revision: first)) { try c.list(prefix: "/tern/c/", atRevision: first) }
        // The compaction revision itself is still readable: the resync point.
        #expect(try c.list(prefix: "/tern/c/", atRevision: compactAt).items.first?.string == "3")
    }

    @Test func errorsCarryEtcdsStatusAndMessage() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try etcd.client()
        let now = try c.put("/tern/e", "1")
        do {
            _ = try c.list(prefix: "/tern/", atRevision: now + 100)
            Issue.record("a future revision was served")
        } catch {
            guard case .http(let endpoint, let path, let status, let code, let message) = error else {
                Issue.record("expected .http, got \(error)"); return
            }
            #expect(endpoint == etcd.clientURL && path == "/v3/kv/range")
            #expect(status == 400 && code == 11)
            #expect(message == "etcdserver: mvcc: required revision is a future revision")
            #expect(error.description.contains("HTTP 400 (gRPC code 11): etcdserver: mvcc: required revision is a future revision"))
        }
    }

    @Test func killingEtcdDropsTheWatchAndCallsFailAsUnreachable() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let c = try EtcdClient(endpoints: [etcd.clientURL], requestTimeout: .seconds(2), connectTimeout: .milliseconds(300))
        let r = try c.put("/tern/k/a", "1")
        let log = WatchLog()
        let w = c.watch(prefix: "/tern/k/", fromRevision: r) { log.append($0) }
        defer { w.cancel() }
        #expect(log.wait { watchChanges($0).count == 1 })

        etcd.kill()
        #expect(log.wait { $0.contains { if case .dropped = $0 { return true } else { return false } } })
        guard case .dropped(let error, let resumeFrom) = log.all.last else { Issue.record("last: \(log.all)"); return }
        #expect(resumeFrom == r + 1)
        guard case .streamDropped(let endpoint, let message) = error else { Issue.record("dropped with \(error)"); return }
        #expect(endpoint == etcd.clientURL)
        #expect(!message.isEmpty)

        do {
            _ = try c.get("/tern/k/a")
            Issue.record("a get succeeded with etcd killed")
        } catch {
            guard case .unreachable(let failures) = error else { Issue.record("expected .unreachable, got \(error)"); return }
            #expect(failures.map(\.endpoint) == [etcd.clientURL])
            let port = etcd.clientURL.split(separator: ":").last.map(String.init) ?? "?"
            #expect(failures.first?.message.contains("port \(port)") == true, "curl's message: \(failures)")
            #expect(error.description.hasPrefix("etcd unreachable: all 1 endpoint(s) failed: \(etcd.clientURL): "))
        }
        // A new watch cannot connect either, and says so.
        let log2 = WatchLog()
        let w2 = c.watch(prefix: "/tern/k/", fromRevision: resumeFrom) { log2.append($0) }
        defer { w2.cancel() }
        #expect(log2.wait { !$0.isEmpty })
        guard case .dropped(.unreachable(let failures), resumeFrom) = log2.all.first else { Issue.record("\(log2.all)"); return }
        #expect(failures.count == 1)
    }

    @Test func aDeadFirstEndpointFailsOverToTheSecond() throws {
        let etcd = try EtcdServer()
        defer { etcd.stop() }
        let dead = "http://127.0.0.1:\(try freePort())"
        let c = try EtcdClient(endpoints: [dead, etcd.clientURL], requestTimeout: .seconds(2), connectTimeout: .milliseconds(300))
        #expect(c.currentEndpoint == dead)
        let r = try c.put("/tern/f/a", "1")
        #expect(c.currentEndpoint == etcd.clientURL)     // remembered
        #expect(try c.get("/tern/f/a")?.modRevision == r)
        #expect(try c.create("/tern/f/b", Data()).succeeded)
        #expect(try c.keepAlive(try c.grantLease(ttl: 10)) > 0)

        // A watch tries the endpoints in the same order; start one on the dead-first order.
        let c2 = try EtcdClient(endpoints: [dead, etcd.clientURL], connectTimeout: .milliseconds(300))
        let log = WatchLog()
        let w = c2.watch(prefix: "/tern/f/", fromRevision: r) { log.append($0) }
        defer { w.cancel() }
        #expect(log.wait { watchChanges($0).count == 2 })
    }
}

/// Failures that need no etcd: a server that never answers, one that answers nonsense, bad input.
@Suite(.timeLimit(.minutes(1)))
struct EtcdClientFailureTests {
    @Test func invalidEndpointsAreRejected() throws {
        #expect(throws: EtcdError.invalidArgument("no etcd endpoints given")) { try EtcdClient(endpoints: [String]()) }
        #expect(throws: EtcdError.self) { try EtcdClient(endpoints: ["ftp://x:1"]) }
        #expect(try EtcdClient(endpoints: ["127.0.0.1:2379/"]).endpoints == ["http://127.0.0.1:2379"])
    }

    @Test func aSilentServerTimesOut() throws {
        let server = try FakeHTTPServer(reply: nil)
        defer { server.stop() }
        let c = try EtcdClient(endpoints: [server.url], requestTimeout: .milliseconds(300))
        #expect(throws: EtcdError.timeout(endpoint: server.url, path: "/v3/kv/range", seconds: 0.3)) { try c.get("/x") }
    }

    @Test func aNonJSONAnswerIsMalformed() throws {
        let server = try FakeHTTPServer(reply: "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!")
        defer { server.stop() }
        let c = try EtcdClient(endpoints: [server.url], requestTimeout: .seconds(2))
        do {
            _ = try c.get("/x")
            Issue.record("nonsense was accepted")
        } catch {
            guard case .malformedResponse(let endpoint, let path, let detail) = error else { Issue.record("\(error)"); return }
            #expect(endpoint == server.url && path == "/v3/kv/range")
            #expect(detail.contains("body: not json!"))
        }
    }
}
