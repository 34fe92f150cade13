import IPCore
import Testing
@testable import Model

/// One validator per concept: every input path (YAML, `tern workload add`, the state file,
/// the CNI plugin) builds a `Workload` with these initialisers, so these cases are the rules.
@Suite struct WorkloadTests {
    func make(name: String = "pod-a", namespace: String = "default", interface: String = "cali1",
              addresses: [String] = ["10.244.1.5"], mac: String? = nil,
              labels: [String: String] = [:]) throws(ModelError) -> Workload {
        try Workload(name: name, namespace: namespace, interface: interface, addresses: addresses, mac: mac, labels: labels)
    }

    @Test func validWorkloadKeepsTypedValues() throws {
        let w = try make(namespace: "web", addresses: ["10.244.1.5", "fd00::5/128"], mac: "EE:ee:ee:ee:ee:01",
                         labels: ["app": "web", "example.com/tier": "front", "empty": ""])
        #expect(w.ipNetworks == [IPPrefix("10.244.1.5/32")!, IPPrefix("fd00::5/128")!])
        #expect(w.mac == MACAddress("ee:ee:ee:ee:ee:01"))
        #expect(w.interface.rawValue == "cali1")
        #expect(w.qualifiedName == "web/pod-a")
        #expect(try make().qualifiedName == "pod-a")
    }

    /// (field, words of the message) for each broken input.
    @Test(arguments: [
        (["interface": ".."], "interface", "'.' and '..' are not interface names"),
        (["interface": "eth0:1"], "interface", "cannot contain ':'"),
        (["interface": "cali1234567890ab"], "interface", "at most 15 bytes"),
        (["mac": "+1:+2:3:4:5:6"], "mac", "is not a MAC address"),
        (["mac": "e:e:e:e:e:1"], "mac", "is not a MAC address"),
        (["mac": "01:00:5e:00:00:01"], "mac", "a multicast MAC address"),
        (["mac": "00:00:00:00:00:00"], "mac", "the all-zero MAC address"),
        (["address": "10.244.1.0/26"], "ipNetworks[0]", "not a host route"),
        (["address": "fd00::/64"], "ipNetworks[0]", "/128"),
        (["address": "+10.244.1.5"], "ipNetworks[0]", "not an IP address"),
        (["name": ""], "name", "cannot be empty"),
        (["name": "a b"], "name", "whitespace"),
        (["name": "a/b"], "name", "'/'"),
        (["namespace": "Web"], "namespace", "not a valid namespace name"),
        (["namespace": "-x"], "namespace", "begin and end"),
        (["label": "-app=web"], "labels.-app", "label key"),
        (["label": "app=a b"], "labels.app", "label value"),
        (["label": "bad_prefix/app=x"], "labels.bad_prefix/app", "prefix"),
        (["label": String(repeating: "a", count: 64) + "=x"], "labels." + String(repeating: "a", count: 64), "at most 63"),
    ])
    func invalid(_ change: [String: String], field: String, words: String) {
        var labels: [String: String] = [:]
        if let l = change["label"], let eq = l.firstIndex(of: "=") {
            labels[String(l[..<eq])] = String(l[l.index(after: eq)...])
        }
        do {
            _ = try make(name: change["name"] ?? "pod-a", namespace: change["namespace"] ?? "default",
                         interface: change["interface"] ?? "cali1", addresses: [change["address"] ?? "10.244.1.5"],
                         mac: change["mac"], labels: labels)
            Issue.record("accepted \(change)")
        } catch {
            #expect(error.field == field)
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    @Test func needsAnAddressAndNoRepeats() {
        #expect(throws: ModelError(field: "ipNetworks", "a workload needs at least one address", hint: "write [<pod IP>/32]")) {
            try make(addresses: [])
        }
        do {
            _ = try make(addresses: ["10.244.1.5", "10.244.1.5/32"])
            Issue.record("a repeated address was accepted")
        } catch {
            #expect(error.field == "ipNetworks[1]")
        }
    }

    @Test func conflicts() throws {
        let a = try make()
        #expect(try make(name: "pod-b", interface: "cali1", addresses: ["10.244.1.6"]).conflict(with: a)?.field == "interface")
        #expect(try make(name: "pod-b", interface: "cali2", addresses: ["10.244.1.6", "10.244.1.5"]).conflict(with: a)?.field == "ipNetworks[1]")
        #expect(try make(interface: "cali2", addresses: ["10.244.1.6"]).conflict(with: a)?.field == "name")
        // The same name in another namespace is another workload (x/a and y/a on one node).
        #expect(try make(namespace: "other", interface: "cali2", addresses: ["10.244.1.6"]).conflict(with: a) == nil)
    }

    @Test func labelParsing() throws {
        #expect(try Labels.parse("app=web") == ("app", "web"))
        #expect(try Labels.parse("app=") == ("app", ""))
        #expect(throws: ModelError.self) { try Labels.parse("app") }
    }
}
