import Foundation
import IPCore
import Logging
import Model
import NFTables
import Policy
import Testing
@testable import Dataplane

/// The policy manager against the real kernel, on a table of its own (`inet ternpm<pid>…`,
/// deleted at the end): the first pass writes the table whole; a foreign change is repaired
/// through the monitor; a transaction the kernel refuses is retried as a whole replacement;
/// a second manager (a restart) takes the table over without removing it first.
@Suite(.serialized, .enabled(if: runningAsRoot, Comment(rawValue: needsRoot)))
struct PolicyManagerKernelTests {
    static let logger = Logger(label: "test")

    static func inputs(labels: [String: String] = ["app": "web"]) -> PolicyInputs {
        let web = PolicyEndpoint(namespace: "x", name: "web", addresses: [IPAddress("10.9.0.1")!], labels: labels, interface: "calitestweb")
        let other = PolicyEndpoint(namespace: "x", name: "other", addresses: [IPAddress("10.9.0.2")!], labels: ["app": "client"], interface: "calitestcl")
        let spec = NetworkPolicySpec(podSelector: LabelSelector(matchLabels: ["app": "web"]),
                                     ingress: [NetworkPolicyRule(peers: [.pods(LabelSelector(matchLabels: ["app": "client"]))])])
        return PolicyInputs(endpoints: [web, other], kubernetesPolicies: [KubernetesPolicy(namespace: "x", name: "p", spec: spec)])
    }

    static func listing(_ table: String) throws -> NFTTableListing {
        try NFTTableListing(json: NFTContext().listJSON("list table inet \(table)"), table: table, family: "inet")
    }

    /// Polls `condition` every 20 ms for up to `seconds`.
    static func eventually(_ seconds: Double = 3, _ condition: () -> Bool) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while Date() < end {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }

    @Test func writesRepairsRetriesAndIsTakenOverOnRestart() throws {
        let table = "ternpm\(getpid())x\(Int.random(in: 0..<1_000_000))"
        defer { _ = try? NFTContext().run("add table inet \(table)\ndelete table inet \(table)\n") }
        let m = PolicyManager(settings: .init(cutDeniedConnections: false, resyncInterval: 60, table: table), logger: Self.logger)
        m.start()
        m.update(Self.inputs())
        #expect(Self.eventually { (try? Self.listing(table))?.chains["to-calitestweb"] == 4 })
        let want = try Self.listing(table)
        #expect(want.sets["workloads"]?.sorted() == ["\"calitestcl\"", "\"calitestweb\""])

        // Another process flushes the table: the monitor reports it, the table comes back.
        try must("nft", "flush", "table", "inet", table)
        #expect(Self.eventually { (try? Self.listing(table))?.chains == want.chains })
        #expect(m.currentStats.repairs >= 1)

        // Another process deletes the element the next change deletes: the monitor repairs,
        // or, if the change wins the race, the refused transaction becomes a whole replacement.
        let transactions = m.currentStats.transactions
        try must("nft", "delete", "element", "inet", table, "workloads", "{ \"calitestcl\" }")
        var next = Self.inputs()
        next.endpoints.removeLast()
        m.update(next)
        #expect(Self.eventually { (try? Self.listing(table))?.sets["workloads"] == ["\"calitestweb\""] })
        #expect(m.currentStats.transactions > transactions)
        #expect(m.currentStats.lastError == nil)
        m.stop()

        // A restart: the table stays while no manager runs; the new one replaces it in one go.
        #expect(try Self.listing(table).chains["to-calitestweb"] == 4)
        let again = PolicyManager(settings: .init(cutDeniedConnections: false, resyncInterval: 60, table: table), logger: Self.logger)
        again.start()
        again.update(Self.inputs(labels: ["app": "other"]))   // web no longer selected
        #expect(Self.eventually { (try? Self.listing(table))?.chains["to-calitestweb"] == nil })
        #expect(again.currentStats.replacements == 1)
        again.stop()
    }
}
