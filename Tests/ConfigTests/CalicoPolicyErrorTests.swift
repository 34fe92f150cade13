import Config
import Testing

/// Invalid Calico policies: each error at its place, with the key path and a hint.
@Suite struct CalicoPolicyErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let spec: String
        let errors: [String]
        let kind: String
        init(_ name: String, gnp: Bool = false, _ spec: String, _ errors: [String]) {
            self.name = name
            self.spec = spec
            self.errors = errors
            self.kind = gnp ? "GlobalNetworkPolicy" : "NetworkPolicy"
        }
        var testDescription: String { name }
        /// Line 4 is `spec:`; the spec's lines follow, indented by two spaces.
        var yaml: String {
            "apiVersion: projectcalico.org/v3\nkind: \(kind)\nmetadata: {name: p}\nspec:\n"
                + spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
    }

    static let cases: [Case] = [
        Case("portsWithoutProtocol", "ingress:\n- action: Allow\n  destination: {ports: [80]}", [
            "t.yaml:7:19: spec.ingress[0].destination.ports: ports are only valid for TCP/UDP/SCTP/UDPLite; the rule has no protocol (hint: add \"protocol: TCP\" (or UDP, SCTP, UDPLite) to the rule)"]),
        Case("notPortsWithICMP", "egress:\n- action: Deny\n  protocol: ICMP\n  source:\n    notPorts: [22]", [
            "t.yaml:9:7: spec.egress[0].source.notPorts: ports are only valid for TCP/UDP/SCTP/UDPLite; protocol ICMP has no ports (hint: add \"protocol: TCP\" (or UDP, SCTP, UDPLite) to the rule)"]),
        Case("ipVersionNotFourOrSix", "ingress: [{action: Allow, ipVersion: 5}]", [
            "t.yaml:5:40: spec.ingress[0].ipVersion: ipVersion 5 is neither 4 nor 6 (hint: write 4 or 6, or remove it for both)"]),
        Case("ipVersionAndNetsDisagree", "ingress:\n- action: Allow\n  ipVersion: 6\n  source: {nets: [10.0.0.0/8]}", [
            "t.yaml:8:13: spec.ingress[0].source.nets[0]: 10.0.0.0/8 is not an IPv6 prefix but the rule has ipVersion 6 (hint: remove ipVersion, or put the IPv4 nets in a rule of their own)"]),
        Case("icmpWithIPv6", "egress: [{action: Allow, protocol: ICMP, ipVersion: 6}]", [
            "t.yaml:5:38: spec.egress[0].protocol: ICMP is an IPv4 protocol but the rule has ipVersion 6 (hint: use ICMPv6 for IPv6)"]),
        Case("namespaceSelectorOnNetworkPolicy", "namespaceSelector: all()", [
            "t.yaml:5:22: spec.namespaceSelector: a NetworkPolicy has no namespaceSelector; it applies in its own namespace (hint: remove it, or make the policy a GlobalNetworkPolicy)"]),
        Case("otherTier", "tier: security", [
            "t.yaml:5:9: spec.tier: tier \"security\" is not supported by Tern; only the default tier is (hint: remove tier (or write \"tier: default\"), and order the policy with order)"]),
        Case("orderNotANumber", "order: first", [
            "t.yaml:5:10: spec.order: expected a number, got the string \"first\" (hint: write a number, e.g. 100)"]),
        Case("orderQuoted", "order: '100'", [
            "t.yaml:5:10: spec.order: expected a number, got the quoted string \"100\" (hint: remove the quotes)"]),
        Case("missingAction", "ingress: [{protocol: TCP}]", [
            "t.yaml:5:13: spec.ingress[0].action: missing required key \"action\" in spec.ingress[0] (hint: add \"action: Allow\" (or Deny, Log, Pass))"]),
        Case("badAction", "egress: [{action: allow}]", [
            "t.yaml:5:21: spec.egress[0].action: \"allow\" is not a rule action (Allow|Deny|Log|Pass) (hint: did you mean \"Allow\"?)"]),
        Case("misspelledProtocol", "ingress: [{action: Allow, protocol: Tcp}]", [
            "t.yaml:5:39: spec.ingress[0].protocol: \"Tcp\" is not a protocol (hint: did you mean \"TCP\"?)"]),
        Case("badProtocol", "ingress: [{action: Allow, protocol: TPC}]", [
            "t.yaml:5:39: spec.ingress[0].protocol: \"TPC\" is not a protocol (hint: use one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a protocol number 1-255)"]),
        Case("protocolOutOfRange", "ingress: [{action: Allow, notProtocol: 256}]", [
            "t.yaml:5:42: spec.ingress[0].notProtocol: protocol number 256 is out of range 1-255 (hint: use one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a protocol number 1-255)"]),
        Case("portOutOfRange", "ingress: [{action: Allow, protocol: TCP, destination: {ports: [70000]}}]", [
            "t.yaml:5:66: spec.ingress[0].destination.ports[0]: port 70000 is out of range 1-65535 (hint: give a port number from 1 to 65535)"]),
        Case("portZero", "ingress: [{action: Allow, protocol: TCP, destination: {ports: [0]}}]", [
            "t.yaml:5:66: spec.ingress[0].destination.ports[0]: port 0 is not allowed (hint: ports are 1-65535)"]),
        Case("portRangeBackwards", "ingress: [{action: Allow, protocol: TCP, destination: {ports: ['2000:1000']}}]", [
            "t.yaml:5:66: spec.ingress[0].destination.ports[0]: port range 2000:1000 ends below its start (hint: write the range as first:last, e.g. 1000:2000)"]),
        Case("portRangeMalformed", "ingress: [{action: Allow, protocol: TCP, destination: {ports: ['1:2:3']}}]", [
            "t.yaml:5:66: spec.ingress[0].destination.ports[0]: \"1:2:3\" is not a port range (hint: write first:last with port numbers, e.g. \"1000:2000\")"]),
        Case("badPortName", "ingress: [{action: Allow, protocol: TCP, destination: {ports: [Web_Port]}}]", [
            "t.yaml:5:66: spec.ingress[0].destination.ports[0]: \"Web_Port\" is not a valid port name: only lowercase letters, digits and '-' are allowed (hint: give a port number, a range such as 1000:2000, or a container port's name)"]),
        Case("netHostBits", "egress: [{action: Deny, destination: {nets: [10.0.0.1/8]}}]", [
            "t.yaml:5:48: spec.egress[0].destination.nets[0]: 10.0.0.1/8 has host bits set (hint: use the network address 10.0.0.0/8)"]),
        Case("netNotAnAddress", "egress: [{action: Deny, destination: {notNet: example.com}}]", [
            "t.yaml:5:49: spec.egress[0].destination.notNet: \"example.com\" is not a CIDR prefix (hint: write address/length, e.g. 10.244.1.0/26)"]),
        Case("badPolicySelector", "selector: role == database", [
            "t.yaml:5:13: spec.selector: selector \"role == database\": expected a quoted value at column 9 (hint: quote values with ' or \", e.g. app == 'web')"]),
        Case("badRuleSelector", "ingress: [{action: Allow, source: {selector: 'has(a'}}]", [
            "t.yaml:5:48: spec.ingress[0].source.selector: selector \"has(a\": expected ')' at column 6 (hint: has() takes one label key, e.g. has(app))"]),
        Case("typeTwice", "types: [Ingress, Ingress]", [
            "t.yaml:5:10: spec.types: lists a policy type twice (hint: write each of Ingress and Egress at most once)"]),
        Case("badType", "types: [ingress]", [
            "t.yaml:5:11: spec.types[0]: \"ingress\" is not a policy type (Ingress|Egress) (hint: did you mean \"Ingress\"?)"]),
        Case("icmpMatch", "ingress: [{action: Allow, protocol: ICMP, icmp: {type: 8}}]", [
            "t.yaml:5:51: spec.ingress[0].icmp: icmp is not supported by Tern (hint: match all ICMP with \"protocol: ICMP\" (or ICMPv6); types and codes are not matched yet)"]),
        Case("httpMatch", "ingress: [{action: Allow, http: {methods: [GET]}}]", [
            "t.yaml:5:35: spec.ingress[0].http: http is not supported by Tern (hint: Tern matches layer 3 and 4 only)"]),
        Case("serviceAccounts", "ingress: [{action: Allow, source: {serviceAccounts: {names: [a]}}}]", [
            "t.yaml:5:55: spec.ingress[0].source.serviceAccounts: serviceAccounts is not supported by Tern (hint: match the endpoints by their labels with selector)"]),
        Case("unknownRuleKey", "ingress: [{action: Allow, destinaton: {}}]", [
            "t.yaml:5:29: spec.ingress[0].destinaton: unknown key \"destinaton\" (hint: did you mean \"destination\"?)"]),
        Case("doNotTrack", gnp: true, "doNotTrack: true", [
            "t.yaml:5:15: spec.doNotTrack: doNotTrack is not supported by Tern (hint: remove it; Tern applies policy to tracked workload traffic only)"]),
        Case("preDNAT", gnp: true, "preDNAT: true", [
            "t.yaml:5:12: spec.preDNAT: preDNAT is not supported by Tern (hint: remove it; Tern applies policy after DNAT, to workload traffic)"]),
        Case("applyOnForward", gnp: true, "applyOnForward: true", [
            "t.yaml:5:19: spec.applyOnForward: applyOnForward is not supported by Tern (hint: remove it; Tern applies policy to workload endpoints, not to forwarded host traffic)"]),
        Case("doNotTrackOnNetworkPolicy", "doNotTrack: false", [
            "t.yaml:5:3: spec.doNotTrack: unknown key \"doNotTrack\" (hint: known keys here: order, tier, selector, namespaceSelector, types, ingress, egress, serviceAccountSelector)"]),
        Case("serviceAccountSelector", gnp: true, "serviceAccountSelector: all()", [
            "t.yaml:5:27: spec.serviceAccountSelector: serviceAccountSelector is not supported by Tern (hint: select the endpoints by their labels with selector)"]),
        Case("everyErrorOfARule", "ingress:\n- action: Block\n  protocol: 300\n  destination: {ports: [80]}", [
            "t.yaml:6:13: spec.ingress[0].action: \"Block\" is not a rule action (hint: use one of Allow|Deny|Log|Pass)",
            "t.yaml:7:15: spec.ingress[0].protocol: protocol number 300 is out of range 1-255 (hint: use one of TCP, UDP, ICMP, ICMPv6, SCTP, UDPLite or a protocol number 1-255)"]),
    ]

    @Test(arguments: cases) func invalidPolicy(_ c: Case) {
        do {
            _ = try ResourceCodec.decode(c.yaml, file: "t.yaml")
            Issue.record("decoded")
        } catch {
            #expect(error.errors.map(\.description) == c.errors)
        }
    }

    /// The wrong apiVersion for a NetworkPolicy names both APIs.
    @Test func networkPolicyAPIVersions() {
        do {
            _ = try ResourceCodec.decode("apiVersion: projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}}\n", file: "t.yaml")
            Issue.record("decoded")
        } catch {
            #expect(error.errors.map(\.description) == [
                "t.yaml:1:13: apiVersion: NetworkPolicy is a networking.k8s.io/v1 or projectcalico.org/v3 kind, not \"projectcalico.org/v1\" (hint: write \"apiVersion: networking.k8s.io/v1\" or \"apiVersion: projectcalico.org/v3\")"])
        }
    }
}
