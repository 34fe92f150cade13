import Datastore
import EtcdClient
import EtcdDatastore
import EtcdTestSupport
import Foundation
import Testing

/// The contract on a real etcd each test starts for itself, and etcd outages. Skipped, and
/// reported as skipped, when `etcd` is not installed (`make deps` installs etcd-server).
@Suite(.enabled(if: EtcdServer.available, "etcd is not on PATH (apt-get install etcd-server)"), .timeLimit(.minutes(1)))
struct EtcdDatastoreTests {
    @Test(arguments: DatastoreContract.allCases)
    func contract(_ c: DatastoreContract) throws {
        let f = try EtcdFixture()
        defer { f.tearDown() }
        try c.run(on: f)
    }

    @Test func aWatchReportsDownWhenEtcdDiesAndResumesAfterItRestarts() throws {
        let f = try EtcdFixture()
        defer { f.tearDown() }
        let s = EtcdDatastore(client: try f.server.client(timeout: .seconds(2)))
        #expect(s.kind == "etcd")
        let before = try s.put("/o/before", bytes("1"), lease: nil)
        let log = EventLog()
        let w = s.watch(prefix: "/o/", afterRevision: before.revision - 1) { log.append($0) }
        defer { w.cancel() }
        #expect(log.wait { $0 == [.put(before)] })

        f.server.kill()
        #expect(log.wait { $0.downs >= 1 })
        guard case .down(.unavailable(let message))? = log.all.last else {
            Issue.record("expected .down(.unavailable), got \(log.all)")
            return
        }
        #expect(!message.isEmpty)
        let call = thrown { try s.get("/o/before") }
        guard case .unavailable(let callMessage)? = call else {
            Issue.record("a call while etcd is down: \(String(describing: call))")
            return
        }
        #expect(callMessage.contains(f.server.clientURL), "\(callMessage)")
        usleep(700_000)                          // a few failed reconnects: still one .down

        try f.server.restart()
        let after = try s.put("/o/after", bytes("2"), lease: nil)
        #expect(log.wait { $0.changes.count >= 2 })
        #expect(log.all.changes == [.put(before), .put(after)])
        #expect(log.all.downs == 1, "\(log.all)")
    }

    @Test func theConvenienceInitialiserRefusesABadEndpoint() {
        let error = thrown { try EtcdDatastore(endpoints: ["ftp://x"], tls: nil) }
        guard case .invalid(let message)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(message.contains("ftp://x"))
    }
}
