import EventLoop
import Foundation
import Testing
@testable import Daemon
import TernAPI

/// The workload state file (issue 11 item 7): a damaged file is renamed aside and reported,
/// never overwritten; a save that fails makes the request fail and changes nothing; what a
/// request reports as done survives a restart.
@Suite(.serialized) struct WorkloadStateTests {
    func node(_ dir: String, _ name: String = "ws") throws -> SpeakerLoopbackTests.Node {
        var yaml = SpeakerLoopbackTests.config(name: name, ip: "127.0.0.32", block: "10.244.32.0/26", peers: [], dir: dir)
        yaml += "dataplane: {enabled: false}\n"
        return try SpeakerLoopbackTests.Node(yaml, name: name, dir: dir)
    }

    func add(_ client: ControlClient, _ name: String, _ ip: String) throws -> ControlProtocol.Response {
        try client.send(.init(.workloadAdd, workload: .init(name: name, interface: "cali\(name)", ipNetworks: [ip])))
    }

    func names(_ client: ControlClient) throws -> [String] {
        (try client.send(.init(.workloadList)).workloads ?? []).map(\.name).sorted()
    }

    @Test func aTruncatedFileIsKeptAsideNotOverwritten() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let state = "\(dir)/ws-workloads.json"
        let damaged = Data(#"[{"name":"p1","interface":"calip1","ipNetworks":["10.244.32.5/32"],"ori"#.utf8)
        try damaged.write(to: URL(fileURLWithPath: state))
        let n = try node(dir)
        let client = ControlClient(path: "\(dir)/ws.sock")
        #expect(try names(client) == [])
        let aside = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix("ws-workloads.json.unreadable-") }
        #expect(aside.count == 1)
        #expect(FileManager.default.contents(atPath: "\(dir)/\(aside.first ?? "-")") == damaged)
        // A new workload writes a fresh file; the damaged one stays aside, byte for byte.
        #expect(try add(client, "p2", "10.244.32.6/32").ok)
        #expect(FileManager.default.contents(atPath: "\(dir)/\(aside.first ?? "-")") == damaged)
        n.stop()
        let again = try node(dir)
        defer { again.stop() }
        #expect(try names(ControlClient(path: "\(dir)/ws.sock")) == ["p2"])
    }

    @Test func aFailedSaveFailsTheRequestAndChangesNothing() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let state = "\(dir)/ws-workloads.json"
        let n = try node(dir)
        let client = ControlClient(path: "\(dir)/ws.sock")
        #expect(try add(client, "p1", "10.244.32.5/32").ok)
        // Something the rename cannot replace (as a full or read-only filesystem would
        // refuse the write): a non-empty directory where the file goes.
        try FileManager.default.removeItem(atPath: state)
        try FileManager.default.createDirectory(atPath: "\(state)/x", withIntermediateDirectories: true)
        let refused = try add(client, "p2", "10.244.32.6/32")
        #expect(refused.error?.code == .unavailable)
        #expect(refused.error?.message.contains("not added: the workload state cannot be saved") == true, "\(String(describing: refused.error))")
        #expect(try names(client) == ["p1"])
        let notDeleted = try client.send(.init(.workloadDelete, workload: .init(name: "p1", interface: "", ipNetworks: [])))
        #expect(notDeleted.error?.code == .unavailable)
        #expect(try names(client) == ["p1"])
        // Fixed: requests work again and the file holds exactly what was reported.
        try FileManager.default.removeItem(atPath: state)
        #expect(try add(client, "p3", "10.244.32.7/32").ok)
        n.stop()
        let again = try node(dir)
        defer { again.stop() }
        #expect(try names(ControlClient(path: "\(dir)/ws.sock")) == ["p1", "p3"])
    }

    /// Two pods named `a` in namespaces x and y (policy needs both), labels and the CNI
    /// attachment's container ID survive a restart; a CNI DEL of another container ID leaves
    /// the workload alone, and a DEL of a workload already gone succeeds.
    @Test func namespacesLabelsAndContainerIDsSurviveARestart() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let n = try node(dir)
        let client = ControlClient(path: "\(dir)/ws.sock")
        let x = ControlProtocol.Workload(name: "a", namespace: "x", interface: "calixa", ipNetworks: ["10.244.32.5/32"],
                                         labels: ["app": "web"], origin: "cni", attachment: "c1")
        let y = ControlProtocol.Workload(name: "a", namespace: "y", interface: "caliya", ipNetworks: ["10.244.32.6/32"])
        #expect(try client.send(.init(.workloadAdd, workload: x)).ok)
        #expect(try client.send(.init(.workloadAdd, workload: y)).ok)
        n.stop()
        let again = try node(dir)
        defer { again.stop() }
        let c2 = ControlClient(path: "\(dir)/ws.sock")
        let list = try c2.send(.init(.workloadList)).workloads ?? []
        #expect(list.map(\.qualifiedName) == ["x/a", "y/a"])
        #expect(list.first?.labels == ["app": "web"])
        #expect(list.first?.origin == "cni")
        #expect(list.first?.attachment == "c1")
        #expect(list.last?.origin == "cli")
        var other = x
        other.attachment = "c2"
        #expect(try c2.send(.init(.workloadDelete, workload: other)).ok)
        #expect(try names(c2) == ["a", "a"])
        #expect(try c2.send(.init(.workloadDelete, workload: x)).ok)
        #expect(try c2.send(.init(.workloadDelete, workload: x)).ok, "a CNI DEL of a workload already gone succeeds")
        let notFound = try c2.send(.init(.workloadDelete, workload: .init(name: "a", namespace: "x", interface: "", ipNetworks: [])))
        #expect(notFound.error?.code == .notFound)
        #expect(try c2.send(.init(.workloadDelete, workload: .init(name: "y/a", interface: "", ipNetworks: []))).ok)
        #expect(try names(c2) == [])
    }
}
