import Datastore
import Foundation
import Testing

/// The behaviour every Datastore promises, one case per promise; FileDatastoreTests and
/// EtcdDatastoreTests run every case against their store (`run(_:on:)`).
enum DatastoreContract: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case putGetListWithPrefixBoundaries
    case createOnAnExistingKeyThrowsAlreadyExistsWithTheCurrentValue
    case updateWithAStaleRevisionConflicts
    case deleteIfRevision
    case revisionsIncreaseAcrossInstances
    case watchFromASnapshotSeesExactlyTheLaterWritesInOrder
    case cancelFromTheHandlerStopsTheWatch
    case leaseExpiryDeletesItsKeysAndTheWatchSeesIt
    case revokeDeletesTheLeasesKeys
    case watchFromACompactedRevisionResyncs
    case twoInstancesRacingCreateHaveExactlyOneWinner
    case concurrentIncrementsFromFourInstancesLoseNothing

    var testDescription: String { rawValue }

    /// The log limit the file store needs for this case (the resync case needs a short log).
    var fileLogLimit: Int { self == .watchFromACompactedRevisionResyncs ? 4 : 10_000 }

    func run(on f: StoreFixture) throws {
        switch self {
        case .putGetListWithPrefixBoundaries: try Self.putGetList(f)
        case .createOnAnExistingKeyThrowsAlreadyExistsWithTheCurrentValue: try Self.createExisting(f)
        case .updateWithAStaleRevisionConflicts: try Self.staleUpdate(f)
        case .deleteIfRevision: try Self.deleteIfRevision(f)
        case .revisionsIncreaseAcrossInstances: try Self.revisionsIncrease(f)
        case .watchFromASnapshotSeesExactlyTheLaterWritesInOrder: try Self.watchFromSnapshot(f)
        case .cancelFromTheHandlerStopsTheWatch: try Self.cancelFromHandler(f)
        case .leaseExpiryDeletesItsKeysAndTheWatchSeesIt: try Self.leaseExpiry(f)
        case .revokeDeletesTheLeasesKeys: try Self.revoke(f)
        case .watchFromACompactedRevisionResyncs: try Self.resync(f)
        case .twoInstancesRacingCreateHaveExactlyOneWinner: try Self.createRace(f)
        case .concurrentIncrementsFromFourInstancesLoseNothing: try Self.increments(f)
        }
    }

    static func putGetList(_ f: StoreFixture) throws {
        let s = try f.open()
        let ab = try s.put("/a/b", bytes("1"), lease: nil)
        let abc = try s.put("/a/bc", bytes("2"), lease: nil)
        let c = try s.put("/a/b/c", bytes("3"), lease: nil)
        let d = try s.put("/a/b/d", Array(0...255) + [0, 0], lease: nil)
        #expect(ab.revision < abc.revision && abc.revision < c.revision && c.revision < d.revision)
        #expect(try s.get("/a/b") == StoredValue(key: "/a/b", value: bytes("1"), revision: ab.revision))
        #expect(try s.get("/a/b/d")?.value == Array(0...255) + [0, 0])
        #expect(try s.get("/a/none") == nil)

        let children = try s.list(prefix: "/a/b/")
        #expect(children.values == [c, d])
        #expect(children.revision == d.revision)
        #expect(try s.list(prefix: "/a/b").values.map(\.key) == ["/a/b", "/a/b/c", "/a/b/d", "/a/bc"])
        #expect(try s.list(prefix: "/a/bc").values == [abc])
        #expect(try s.list(prefix: "/a/c").values.isEmpty)

        // Overwrite: a new revision, the new value; keys with awkward bytes round-trip.
        let ab2 = try s.put("/a/b", bytes("one"), lease: nil)
        #expect(ab2.revision > d.revision)
        #expect(try s.get("/a/b")?.value == bytes("one"))
        let odd = ["/odd/100% sure", "/odd/.hidden", "/odd/ünï/日本", "/odd/tab\tand\nnewline", "/odd/%2F"]
        for k in odd { try s.put(k, bytes(k), lease: nil) }
        let listed = try s.list(prefix: "/odd/")
        #expect(listed.values.map(\.key) == odd.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(listed.values.allSatisfy { $0.value == bytes($0.key) })
        #expect(thrown { try s.put("", bytes("x"), lease: nil) }.map { if case .invalid = $0 { true } else { false } } == true)
    }

    static func createExisting(_ f: StoreFixture) throws {
        let s = try f.open()
        let mine = try s.create("/c/block", bytes("mine"), lease: nil)
        #expect(mine.value == bytes("mine"))
        let error = thrown { try s.create("/c/block", bytes("theirs"), lease: nil) }
        guard case .alreadyExists(let key, let current)? = error else {
            Issue.record("second create: \(String(describing: error))")
            return
        }
        #expect(key == "/c/block")
        #expect(current == mine)
        #expect(try s.get("/c/block") == mine)
    }

    static func staleUpdate(_ f: StoreFixture) throws {
        let s = try f.open()
        let v1 = try s.create("/u/k", bytes("1"), lease: nil)
        let v2 = try s.update("/u/k", bytes("2"), ifRevision: v1.revision, lease: nil)
        #expect(v2.revision > v1.revision && v2.value == bytes("2"))
        let error = thrown { try s.update("/u/k", bytes("3"), ifRevision: v1.revision, lease: nil) }
        guard case .conflict(let key, let current)? = error else {
            Issue.record("stale update: \(String(describing: error))")
            return
        }
        #expect(key == "/u/k" && current == v2)
        #expect(try s.get("/u/k") == v2)
        let absent = thrown { try s.update("/u/absent", bytes("x"), ifRevision: v2.revision, lease: nil) }
        #expect(absent == .conflict(key: "/u/absent", current: nil))
        #expect(try s.get("/u/absent") == nil)
    }

    static func deleteIfRevision(_ f: StoreFixture) throws {
        let s = try f.open()
        let v = try s.put("/d/k", bytes("v"), lease: nil)
        let later = try s.put("/d/other", bytes("o"), lease: nil)
        #expect(thrown { try s.delete("/d/k", ifRevision: later.revision) } == .conflict(key: "/d/k", current: v))
        #expect(try s.get("/d/k") == v)
        #expect(try s.delete("/d/k", ifRevision: v.revision) == true)
        #expect(try s.get("/d/k") == nil)
        #expect(try s.delete("/d/k", ifRevision: nil) == false)
        #expect(thrown { try s.delete("/d/k", ifRevision: v.revision) } == .conflict(key: "/d/k", current: nil))
        #expect(try s.delete("/d/other", ifRevision: nil) == true)
        #expect(try s.list(prefix: "/d/").values.isEmpty)
    }

    static func revisionsIncrease(_ f: StoreFixture) throws {
        let a = try f.open(), b = try f.open()
        var last: Int64 = 0
        for i in 0..<10 {
            let s = i % 2 == 0 ? a : b
            let p = try s.put("/m/\(i % 3)", bytes("\(i)"), lease: nil)
            #expect(p.revision > last, "put \(i): \(p.revision) after \(last)")
            last = p.revision
            let c = try s.create("/m/new\(i)", bytes("\(i)"), lease: nil)
            #expect(c.revision > last)
            last = c.revision
            let u = try s.update("/m/new\(i)", bytes("u"), ifRevision: c.revision, lease: nil)
            #expect(u.revision > last)
            last = u.revision
            try s.delete("/m/new\(i)", ifRevision: u.revision)
            let snap = try (i % 2 == 0 ? b : a).list(prefix: "/m/")
            #expect(snap.revision > last, "a delete is a write: the list's revision \(snap.revision) is past \(last)")
            last = snap.revision
        }
    }

    static func watchFromSnapshot(_ f: StoreFixture) throws {
        let s = try f.open()
        let a1 = try s.put("/w/a", bytes("a1"), lease: nil)
        try s.put("/w/b", bytes("b1"), lease: nil)
        let snap = try s.list(prefix: "/w/")
        #expect(snap.values.count == 2 && snap.revision >= a1.revision)

        let c = try s.put("/w/c", bytes("c1"), lease: nil)
        let a2 = try s.update("/w/a", bytes("a2"), ifRevision: a1.revision, lease: nil)
        try s.delete("/w/b", ifRevision: nil)
        try s.put("/wx", bytes("outside"), lease: nil)
        let e = try s.put("/w/d/e", bytes("e1"), lease: nil)
        #expect(e.revision == a2.revision + 3)   // delete, /wx, /w/d/e: one revision each

        let log = EventLog()
        let watch = try f.open().watch(prefix: "/w/", afterRevision: snap.revision) { log.append($0) }
        defer { watch.cancel() }
        let expected: [DatastoreWatchEvent] = [.put(c), .put(a2), .deleted(key: "/w/b", revision: a2.revision + 1), .put(e)]
        #expect(log.wait { $0.count >= expected.count })
        #expect(log.all == expected)

        // Live writes follow in order; after cancel nothing more arrives.
        let g = try s.put("/w/g", bytes("g1"), lease: nil)
        #expect(log.wait { $0.count >= 5 })
        #expect(log.all == expected + [.put(g)])
        watch.cancel()
        try s.put("/w/h", bytes("h1"), lease: nil)
        usleep(300_000)
        #expect(log.all.count == 5)
    }

    static func cancelFromHandler(_ f: StoreFixture) throws {
        let s = try f.open()
        let start = try s.put("/cf/start", bytes("0"), lease: nil)
        let log = EventLog()
        let box = Locked<DatastoreWatch?>(nil)
        let watch = try f.open().watch(prefix: "/cf/", afterRevision: start.revision) { e in
            log.append(e)
            if case .put(let v) = e, v.key == "/cf/stop" { box.get?.cancel() }   // must not deadlock
        }
        box.with { $0 = watch }
        let one = try s.put("/cf/one", bytes("1"), lease: nil)
        let stop = try s.put("/cf/stop", bytes("2"), lease: nil)
        #expect(log.wait { $0.count >= 2 })
        try s.put("/cf/after", bytes("3"), lease: nil)
        usleep(300_000)
        #expect(log.all == [.put(one), .put(stop)])
        watch.cancel()                             // again, from outside: returns
    }

    static func leaseExpiry(_ f: StoreFixture) throws {
        let s = try f.open()
        let lease = try s.grantLease(ttl: 1)
        let v = try s.put("/l/k", bytes("v"), lease: lease)
        #expect(v.lease == lease)
        #expect(try s.get("/l/k")?.lease == lease)
        try s.put("/l/keep", bytes("k"), lease: nil)
        let kept = try s.grantLease(ttl: 2)
        try s.put("/l/renewed", bytes("r"), lease: kept)
        let snap = try s.list(prefix: "/l/")

        let log = EventLog()
        let watch = try f.open().watch(prefix: "/l/", afterRevision: snap.revision) { log.append($0) }
        defer { watch.cancel() }
        // Renew `kept` past its TTL while `lease` expires.
        let started = Date()
        while Date().timeIntervalSince(started) < 3 {
            try s.keepAlive(kept)
            usleep(400_000)
        }
        #expect(log.wait(seconds: 5) { $0.changes.contains { if case .deleted("/l/k", _) = $0 { true } else { false } } })
        #expect(log.all.changes.count == 1, "only /l/k is deleted: \(log.all)")
        #expect(try s.get("/l/k") == nil)
        #expect(try s.get("/l/keep") != nil)
        #expect(try s.get("/l/renewed")?.lease == kept)
        #expect(thrown { try s.keepAlive(lease) } == .leaseNotFound(lease))
        #expect(thrown { try s.put("/l/again", bytes("x"), lease: lease) } == .leaseNotFound(lease))
        try s.revoke(kept)
    }

    static func revoke(_ f: StoreFixture) throws {
        let s = try f.open()
        let lease = try s.grantLease(ttl: 60)
        try s.put("/r/a", bytes("a"), lease: lease)
        try s.create("/r/b", bytes("b"), lease: lease)
        try s.put("/r/c", bytes("c"), lease: nil)
        let snap = try s.list(prefix: "/r/")
        let log = EventLog()
        let watch = try f.open().watch(prefix: "/r/", afterRevision: snap.revision) { log.append($0) }
        defer { watch.cancel() }

        try f.open().revoke(lease)
        #expect(try s.get("/r/a") == nil && s.get("/r/b") == nil)
        #expect(try s.list(prefix: "/r/").values.map(\.key) == ["/r/c"])
        #expect(log.wait { $0.changes.count >= 2 })
        let deleted = Set(log.all.changes.compactMap { e -> String? in if case .deleted(let k, _) = e { k } else { nil } })
        #expect(deleted == ["/r/a", "/r/b"])
        try s.revoke(lease)                       // again: not an error
        try s.revoke(0x7fff_0000_1234)            // never granted: not an error
        #expect(thrown { try s.keepAlive(lease) } == .leaseNotFound(lease))
        #expect(thrown { try s.put("/r/d", bytes("d"), lease: lease) } == .leaseNotFound(lease))
    }

    static func resync(_ f: StoreFixture) throws {
        let s = try f.open()
        try s.put("/s/a", bytes("a"), lease: nil)
        let old = try s.list(prefix: "/s/")
        for i in 0..<12 { try s.put("/s/k\(i)", bytes("\(i)"), lease: nil) }
        try s.delete("/s/a", ifRevision: nil)
        let last = try s.put("/x/other", bytes("o"), lease: nil)
        try f.compact(through: last.revision)
        let now = try s.list(prefix: "/s/")
        #expect(now.values.count == 12)

        let log = EventLog()
        let watch = try f.open().watch(prefix: "/s/", afterRevision: old.revision) { log.append($0) }
        defer { watch.cancel() }
        #expect(log.wait { !$0.isEmpty })
        guard case .resync(let snapshot)? = log.all.first else {
            Issue.record("expected a resync first, got \(log.all)")
            return
        }
        #expect(snapshot.values == now.values)
        #expect(snapshot.revision >= last.revision)
        let after = try s.put("/s/after", bytes("x"), lease: nil)
        #expect(log.wait { $0.count >= 2 })
        #expect(Array(log.all.dropFirst()) == [.put(after)])
    }

    static func createRace(_ f: StoreFixture) throws {
        let stores = [try f.open(), try f.open()]
        for round in 0..<50 {
            let key = "/race/\(round)"
            let results = Locked<[Int: Result<StoredValue, DatastoreError>]>([:])
            onThreads(2) { i in
                let r: Result<StoredValue, DatastoreError>
                do throws(DatastoreError) {
                    r = .success(try stores[i].create(key, bytes("writer \(i)"), lease: nil))
                } catch {
                    r = .failure(error)
                }
                results.with { $0[i] = r }
            }
            let all = results.get
            let winners = all.compactMap { i, r -> StoredValue? in if case .success(let v) = r { v } else { nil } }
            #expect(winners.count == 1, "round \(round): \(all)")
            guard let winner = winners.first else { continue }
            let losers = all.compactMap { i, r -> DatastoreError? in if case .failure(let e) = r { e } else { nil } }
            #expect(losers == [.alreadyExists(key: key, current: winner)], "round \(round)")
            #expect(try stores[round % 2].get(key) == winner)
        }
    }

    static func increments(_ f: StoreFixture) throws {
        let stores = try (0..<4).map { _ in try f.open() }
        try stores[0].put("/counter", bytes("0"), lease: nil)
        let conflicts = Locked(0)
        let failures = Locked<[String]>([])
        onThreads(4) { i in
            let s = stores[i]
            var done = 0
            while done < 25 {
                do throws(DatastoreError) {
                    guard let cur = try s.get("/counter"), let n = Int(String(decoding: cur.value, as: UTF8.self)) else {
                        failures.with { $0.append("thread \(i): counter missing") }
                        return
                    }
                    try s.update("/counter", bytes("\(n + 1)"), ifRevision: cur.revision, lease: nil)
                    done += 1
                } catch .conflict {
                    conflicts.with { $0 += 1 }
                } catch {
                    failures.with { $0.append("thread \(i): \(error)") }
                    return
                }
            }
        }
        #expect(failures.get.isEmpty, "\(failures.get)")
        #expect(try stores[1].get("/counter")?.value == bytes("100"), "\(conflicts.get) conflicts retried")
    }
}
