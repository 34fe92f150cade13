import Foundation
import Model
import Testing
@testable import Policy

/// The rendered table: its layout, that nft's own parser accepts it (`nft -c`, nothing
/// committed), and that a relabel or a new pod changes set elements only.
@Suite struct NFTRendererTests {
    static let policies = KubernetesSemanticsTests.policy("x", "web", """
          podSelector: {matchLabels: {pod: a}}
          ingress:
          - from: [{podSelector: {matchLabels: {pod: b}}}, {ipBlock: {cidr: 10.0.0.0/16, except: [10.0.3.0/24]}}]
            ports: [{port: 80}, {port: 81, endPort: 90}, {port: serve-80-udp, protocol: UDP}]
          egress:
          - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: y}}}]
        """ + "\n")

    @Test func layout() {
        let w = PolicyWorld(policies: Self.policies)
        let m = w.model()
        let t = NFTRenderer().render(m)
        let id = m.policies[0].id
        #expect(t.maps["to-workload"]?.elements == ["\"calixa\"": "jump to-calixa"])
        #expect(t.maps["from-workload"]?.elements == ["\"calixa\"": "jump from-calixa"])
        #expect(t.chains["to-calixa"] == ["meta mark set meta mark & 0xfffeffff", "jump pi-\(id)",
                                           "meta mark & 0x00010000 == 0x00010000 return", "counter name \"drop-to-calixa\" drop"])
        let pi = t.chains["pi-\(id)"] ?? []
        // 2 port groups (TCP 80 and 81-90 together, the named UDP port) × (the pod peer per family + the IPv4 ipBlock).
        #expect(pi.count == 2 * (2 + 1), "\(pi.joined(separator: "\n"))")
        #expect(pi.contains("meta l4proto 6 th dport { 80-90 } ip saddr @\(m.ruleSelectors.first { $0.pods != nil && $0.namespace == "x" }!.setStem)-v4 counter name \"c-\(id)-i0\" meta mark set meta mark | 0x00010000 return"))
        #expect(pi.contains { $0.contains("ip saddr { 10.0.0.0/16 } ip saddr != { 10.0.3.0/24 }") })
        #expect(pi.contains { $0.contains("meta l4proto 17 ip daddr . meta l4proto . th dport @port-serve-80-udp-v4") })
        #expect(t.sets["port-serve-80-udp-v4"]?.elements.contains("10.0.1.1 . udp . 80") == true)
        #expect(t.sets["workloads"]?.elements.count == 9)
        #expect(t.chains["forward"]?.first == "ct state established,related accept")
    }

    @Test func nftAcceptsTheWholeTable() throws {
        let w = PolicyWorld(policies: Self.policies)
        let text = NFTRenderer().render(w.model()).transaction(from: nil)
        let (status, output) = try Self.nft(["-c", "-f", "-"], input: text)
        #expect(status == 0, "\(output)\n\(text)")
    }

    @Test func aRelabelChangesSetElementsAndThePodsDispatchOnly() {
        let w = PolicyWorld(policies: Self.policies)
        let r = NFTRenderer()
        let before = r.render(w.model())
        w.relabel("x/c", ["pod": "b"])   // now a peer of x/a's rule
        let after = r.render(w.model())
        let lines = after.transaction(from: before).split(separator: "\n")
        #expect(lines == ["add element inet tern \(w.model().ruleSelectors.first { $0.namespace == "x" }!.setStem)-v4 { 10.0.1.3 }"])
        #expect(before.transaction(from: before).isEmpty)
    }

    @Test func aNewPodSelectedByAPolicyGetsItsChainsInTheSameBatchAsItsInterface() {
        let w = PolicyWorld(policies: Self.policies)
        let r = NFTRenderer()
        let before = r.render(w.model())
        w.inputs.endpoints.append(PolicyWorld.endpoint("x", "d", "10.0.1.4", labels: ["pod": "a"]))
        let text = r.render(w.model()).transaction(from: before)
        #expect(text.contains("add chain inet tern to-calixd"))
        #expect(text.contains("add element inet tern workloads { \"calixd\" }"))
        #expect(text.contains("add element inet tern to-workload { \"calixd\" : jump to-calixd }"))
        #expect(!text.contains("flush chain inet tern pi-"))   // the policy's rules are untouched
    }

    @Test func deletingThePolicyRemovesItsChainsSetsAndCounters() throws {
        let w = PolicyWorld(policies: Self.policies)
        let r = NFTRenderer()
        let before = r.render(w.model())
        w.inputs.kubernetesPolicies = []
        let after = r.render(w.model())
        #expect(after.chains.keys.sorted() == ["forward"])
        #expect(after.sets.keys.sorted() == ["workloads"])
        let text = after.transaction(from: before)
        #expect(text.contains("delete chain inet tern pi-"))
        #expect(text.contains("delete counter inet tern drop-to-calixa"))
        // The whole batch applied to a scratch table parses: creation then removal.
        let full = before.transaction(from: nil).replacingOccurrences(of: "inet tern", with: "inet terncheck")
            + text.replacingOccurrences(of: "inet tern", with: "inet terncheck")
        let (status, output) = try Self.nft(["-c", "-f", "-"], input: full)
        #expect(status == 0, "\(output)")
    }

    @Test func portSetsMergeOverlaps() {
        #expect(NFTRenderer.portSet([80...80, 79...81, 90...91, 92...92]) == "{ 79-81, 90-92 }")
    }

    static func nft(_ args: [String], input: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/nft")
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = outPipe
        try p.run()
        inPipe.fileHandleForWriting.write(input.data(using: .utf8)!)
        try inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }
}
