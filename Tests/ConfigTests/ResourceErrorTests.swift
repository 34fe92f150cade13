import Config
import Testing

/// Issue 12 (Resources): invalid documents give their exact error, at the line and column
/// of the value (or key) at fault, with a hint; every error of every document is reported,
/// in file order.
@Suite struct ResourceErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        let errors: [String]
        init(_ name: String, _ yaml: String, _ errors: [String]) {
            self.name = name
            self.yaml = yaml
            self.errors = errors
        }
        var testDescription: String { name }
    }

    static let cal = "apiVersion: projectcalico.org/v3\n"

    static let cases: [Case] = [
        Case("misspelledKind", "apiVersion: networking.k8s.io/v1\nkind: NetworPolicy\nmetadata: {name: a}\nspec: {podSelector: {}}\n", [
              "t.yaml:2:7: kind: unknown kind \"NetworPolicy\" (hint: did you mean \"NetworkPolicy\"?)"]),
        Case("missingKind", "apiVersion: v1\nmetadata: {name: a}\n", [
              "t.yaml:1:1: kind: missing required key \"kind\" in the document (hint: add \"kind:\", one of IPPool, BGPPeer, BGPConfiguration, Node, IPAMConfiguration, WorkloadEndpoint, BlockAffinity, Namespace, Pod, NetworkPolicy, GlobalNetworkPolicy)"]),
        Case("kindInWrongCase", Self.cal + "kind: ippool\nmetadata: {name: a}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:2:7: kind: unknown kind \"ippool\" (hint: did you mean \"IPPool\"?)"]),
        Case("calicoCRDApiVersion", "apiVersion: crd.projectcalico.org/v1\nkind: IPPool\nmetadata: {name: a}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:1:13: apiVersion: IPPool is a projectcalico.org/v3 kind, not \"crd.projectcalico.org/v1\" (hint: write \"apiVersion: projectcalico.org/v3\")"]),
        Case("oldNetworkPolicyApiVersion", "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}}\n", [
              "t.yaml:1:13: apiVersion: NetworkPolicy is a networking.k8s.io/v1 or projectcalico.org/v3 kind, not \"extensions/v1beta1\" (hint: write \"apiVersion: networking.k8s.io/v1\" or \"apiVersion: projectcalico.org/v3\")"]),
        Case("missingApiVersion", "kind: IPPool\nmetadata: {name: a}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:1:1: apiVersion: missing required key \"apiVersion\" in the document (hint: add \"apiVersion: projectcalico.org/v3\")"]),
        Case("missingMetadata", Self.cal + "kind: IPPool\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:1:1: metadata: missing required key \"metadata\" in the document (hint: add metadata with at least \"name:\")"]),
        Case("missingName", Self.cal + "kind: IPPool\nmetadata: {labels: {a: b}}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:3:11: metadata.name: missing required key \"name\" in metadata (hint: add \"name: <resource name>\" under metadata)"]),
        Case("invalidName", Self.cal + "kind: IPPool\nmetadata: {name: Pool_A}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:3:18: metadata.name: \"Pool_A\" is not a valid IPPool name: 'P' is not allowed (lowercase letters, digits and '-') (hint: IPPool names are RFC 1123 subdomains: lowercase letters, digits, '-' and '.')"]),
        Case("namespaceOnClusterScopedKind", Self.cal + "kind: IPPool\nmetadata: {name: a, namespace: default}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:3:21: metadata.namespace: IPPool is cluster-scoped and has no namespace (hint: remove namespace)"]),
        Case("invalidLabelKey", Self.cal + "kind: IPPool\nmetadata:\n  name: a\n  labels:\n    -bad: x\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:6:5: metadata.labels.-bad: label key \"-bad\" is invalid: a key must begin and end with a letter or digit (hint: keys are [prefix/]name, e.g. app or example.com/tier)"]),
        Case("misspelledMetadataKey", Self.cal + "kind: IPPool\nmetadata:\n  name: a\n  lables: {a: b}\nspec: {cidr: 10.0.0.0/16}\n", [
              "t.yaml:5:3: metadata.lables: unknown key \"lables\" (hint: did you mean \"labels\"?)"]),
        Case("misspelledSpecKey", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  natOutgoin: true\n", [
              "t.yaml:6:3: spec.natOutgoin: unknown key \"natOutgoin\" (hint: did you mean \"natOutgoing\"?)"]),
        Case("missingCIDR", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  blockSize: 26\n", [
              "t.yaml:5:3: spec.cidr: missing required key \"cidr\" in spec (hint: add \"cidr: <pool prefix>\", e.g. 10.244.0.0/16)"]),
        Case("cidrWithHostBits", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.1/16\n", [
              "t.yaml:5:9: spec.cidr: 10.0.0.1/16 has host bits set (hint: use the network address 10.0.0.0/16)"]),
        Case("blockSizeOutOfRange", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  blockSize: 33\n", [
              "t.yaml:6:14: spec.blockSize: block size 33 is out of range 20-32 (hint: Calico's default is 26)"]),
        Case("quotedBlockSize", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  blockSize: \"26\"\n", [
              "t.yaml:6:14: spec.blockSize: expected a whole number, got the quoted string \"26\" (hint: remove the quotes)"]),
        Case("modeInWrongCase", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  ipipMode: always\n", [
              "t.yaml:6:13: spec.ipipMode: \"always\" is not a mode (Always|CrossSubnet|Never) (hint: did you mean \"Always\"?)"]),
        Case("twoEncapsulations", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  ipipMode: Always\n  vxlanMode: Always\n", [
              "t.yaml:6:13: spec.ipipMode: ipipMode Always and vxlanMode Always are both on; a pool is encapsulated one way (hint: set one of them to Never)"]),
        Case("quotedBoolean", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  natOutgoing: \"yes\"\n", [
              "t.yaml:6:16: spec.natOutgoing: expected true or false, got the quoted string \"yes\" (hint: remove the quotes)"]),
        Case("missingSpec", Self.cal + "kind: IPPool\nmetadata: {name: a}\n", [
              "t.yaml:1:1: spec: missing required key \"spec\" in the document (hint: add the IPPool spec under \"spec:\")"]),
        Case("peerIPWithoutASNumber", Self.cal + "kind: BGPPeer\nmetadata: {name: a}\nspec:\n  peerIP: 192.0.2.1\n", [
              "t.yaml:5:3: spec.asNumber: missing required key \"asNumber\" in spec (hint: a peer given by peerIP needs its AS number, e.g. asNumber: 64513)"]),
        Case("peerWithoutRemote", Self.cal + "kind: BGPPeer\nmetadata: {name: a}\nspec:\n  node: a\n", [
              "t.yaml:5:3: spec.peerIP: missing required key \"peerIP\" in spec (hint: give the remote's peerIP and asNumber, or a peerSelector for peerings between nodes)"]),
        Case("nodeAndNodeSelector", Self.cal + "kind: BGPPeer\nmetadata: {name: a}\nspec:\n  node: a\n  nodeSelector: all()\n  peerIP: 192.0.2.1\n  asNumber: 1\n", [
              "t.yaml:6:3: spec.nodeSelector: node and nodeSelector cannot both be set (hint: a peering is for one node or for the nodes a selector picks)"]),
        Case("peerPortOutOfRange", Self.cal + "kind: BGPPeer\nmetadata: {name: a}\nspec:\n  peerIP: 192.0.2.1:99999\n  asNumber: 1\n", [
              "t.yaml:5:11: spec.peerIP: port 99999 is out of range 1-65535 (hint: BGP's port is 179)"]),
        Case("badPeerIPAndASTrans", Self.cal + "kind: BGPPeer\nmetadata: {name: a}\nspec:\n  peerIP: 192.0.2.300\n  asNumber: 23456\n", [
              "t.yaml:5:11: spec.peerIP: \"192.0.2.300\" is not an IP address (hint: write an address, IPv4:port or [IPv6]:port, e.g. 192.0.2.1, 192.0.2.1:1179 or [2001:db8::1]:1179)",
              "t.yaml:6:13: spec.asNumber: 23456 is AS_TRANS, not a real AS number (hint: use the peer's 4-octet AS number)"]),
        Case("incompleteSecretKeyRef", Self.cal + "kind: BGPPeer\nmetadata: {name: a}\nspec:\n  peerSelector: all()\n  password: {file: /p, secretKeyRef: {name: s}}\n", [
              "t.yaml:6:38: spec.password.secretKeyRef.key: missing required key \"key\" in spec.password.secretKeyRef (hint: add \"key: <key in the Secret>\")"]),
        Case("badSeverityAndServiceIPsShape", Self.cal + "kind: BGPConfiguration\nmetadata: {name: default}\nspec:\n  logSeverityScreen: info\n  serviceClusterIPs: 10.96.0.0/12\n", [
              "t.yaml:5:22: spec.logSeverityScreen: \"info\" is not a log severity (Debug|Info|Warning|Error|Fatal) (hint: did you mean \"Info\"?)",
              "t.yaml:6:22: spec.serviceClusterIPs: expected a list, got the string \"10.96.0.0/12\" (hint: write it as [{cidr: 10.96.0.0/12}] or as \"- \" lines)"]),
        Case("nodeBGPWrongFamilyAndAS0", Self.cal + "kind: Node\nmetadata: {name: a}\nspec:\n  bgp:\n    ipv4Address: 2001:db8::1/64\n    asNumber: 0\n", [
              "t.yaml:6:18: spec.bgp.ipv4Address: 2001:db8::1/64 is not an IPv4 address (hint: write an IPv4 address, e.g. 192.168.77.1/24)",
              "t.yaml:7:15: spec.bgp.asNumber: AS 0 is reserved and cannot be used (RFC 7607) (hint: use the node's AS number; private ones are 64512-65534 and 4200000000-4294967294)"]),
        Case("workloadEndpointMissingNodeBadMAC", Self.cal + "kind: WorkloadEndpoint\nmetadata: {name: a}\nspec:\n  pod: p\n  interfaceName: cali1\n  mac: 02:42\n", [
              "t.yaml:5:3: spec.node: missing required key \"node\" in spec (hint: add \"node: <node name>\")",
              "t.yaml:7:8: spec.mac: \"02:42\" is not a MAC address (hint: write six hex octets, e.g. 02:42:ac:11:00:02)"]),
        Case("blockAffinityStateCaseAndDeletedText", Self.cal + "kind: BlockAffinity\nmetadata: {name: a}\nspec: {state: Confirmed, node: n, cidr: 10.0.0.0/26, deleted: \"no\"}\n", [
              "t.yaml:4:15: spec.state: \"Confirmed\" is not a block affinity state (pending|confirmed|pendingDeletion) (hint: did you mean \"confirmed\"?)",
              "t.yaml:4:63: spec.deleted: expected true or false, got the quoted string \"no\" (hint: remove the quotes)"]),
        Case("duplicateKey", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: namespace-deny-all\n  name: testing\nspec: {podSelector: {}}\n", [
              "t.yaml:4:3: key \"name\" appears more than once in one mapping (hint: it is written again at line 5; keep one of them; YAML does not say which would win)"]),
        Case("yamlSyntaxError", "apiVersion: v1\nkind: Namespace\nmetadata: {name: [a}\n", [
              "t.yaml:3:20: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence) (hint: this is not valid YAML; check indentation, and quote values that start with ':' (an IPv6 address like '::') or contain ': ')"]),
        Case("documentIsAList", "- apiVersion: v1\n  kind: Namespace\n", [
              "t.yaml:1:1: expected a resource (a mapping with apiVersion, kind, metadata and spec), got a list (hint: each document is one resource)"]),
        Case("emptyFile", "", [
              "t.yaml:1:1: the file holds no resource (hint: write apiVersion, kind, metadata and spec)"]),
        Case("commentOnlyFile", "# just a comment\n", [
              "t.yaml:1:1: the file holds no resource (hint: write apiVersion, kind, metadata and spec)"]),
        Case("policyPortRules", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector: {}\n  ingress:\n  - ports:\n    - endPort: 90\n    - {port: 90, endPort: 80}\n    - {port: http, endPort: 80}\n    - {protocol: ICMP}\n    - {port: HTTP_x}\n    - {port: 0}\n", [
              "t.yaml:8:16: spec.ingress[0].ports[0].endPort: endPort needs a port (hint: give the range's first port in port)",
              "t.yaml:9:27: spec.ingress[0].ports[1].endPort: endPort 80 is below port 90 (hint: endPort is the last port of the range port...endPort)",
              "t.yaml:10:29: spec.ingress[0].ports[2].endPort: endPort cannot be used with a named port (hint: give port as a number)",
              "t.yaml:11:18: spec.ingress[0].ports[3].protocol: \"ICMP\" is not a protocol (hint: use one of TCP|UDP|SCTP)",
              "t.yaml:12:14: spec.ingress[0].ports[4].port: \"HTTP_x\" is not a valid port name: only lowercase letters, digits and '-' are allowed (hint: a named port is a container port's name, e.g. http; or give the number)",
              "t.yaml:13:14: spec.ingress[0].ports[5].port: port 0 is out of range 1-65535 (hint: give a port number from 1 to 65535)"]),
        Case("selectorAndPeerRules", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  podSelector:\n    matchExpressions:\n    - {key: a, operator: In}\n    - {key: b, operator: in, values: [x]}\n    - {key: c, operator: Exists, values: [x]}\n  policyTypes: [Ingres]\n  egress:\n  - to:\n    - {}\n    - {ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24, 10.0.0.0/16]}}\n    - {ipBlock: {cidr: 10.0.0.0/16}, podSelector: {}}\n    - podSelctor: {}\n", [
              "t.yaml:7:7: spec.podSelector.matchExpressions[0].values: must be specified when operator is In or NotIn (hint: list the values, e.g. values: [web, api])",
              "t.yaml:8:26: spec.podSelector.matchExpressions[1].operator: \"in\" is not a selector operator (In|NotIn|Exists|DoesNotExist) (hint: did you mean \"In\"?)",
              "t.yaml:9:42: spec.podSelector.matchExpressions[2].values: may not be specified when operator is Exists or DoesNotExist (hint: remove values)",
              "t.yaml:10:17: spec.policyTypes[0]: \"Ingres\" is not a policy type (Ingress|Egress) (hint: did you mean \"Ingress\"?)",
              "t.yaml:13:7: spec.egress[0].to[0]: must specify a peer (hint: give podSelector, namespaceSelector (or both), or ipBlock)",
              "t.yaml:14:46: spec.egress[0].to[1].ipBlock.except[0]: 10.1.0.0/24 is not a strict subset of cidr 10.0.0.0/16 (hint: except lists parts of cidr to leave out)",
              "t.yaml:15:8: spec.egress[0].to[2].ipBlock: may not specify both ipBlock and another peer (hint: put the ipBlock in an element of its own)",
              "t.yaml:16:7: spec.egress[0].to[3].podSelctor: unknown key \"podSelctor\" (hint: did you mean \"podSelector\"?)"]),
        Case("duplicatePolicyTypeAndMissingPodSelector", "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: a}\nspec:\n  policyTypes: [Ingress, Ingress]\n", [
              "t.yaml:5:3: spec.podSelector: missing required key \"podSelector\" in spec (hint: add \"podSelector: {}\" to select every pod of the namespace)"]),
        Case("podContainerPorts", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: c\n    ports:\n    - {name: HTTP_port, containerPort: 80}\n    - {name: ok, containerPort: 70000, protcol: TCP}\n", [
              "t.yaml:8:14: spec.containers[0].ports[0].name: \"HTTP_port\" is not a valid port name: only lowercase letters, digits and '-' are allowed (hint: port names are IANA service names, e.g. http)",
              "t.yaml:9:33: spec.containers[0].ports[1].containerPort: port 70000 is out of range 1-65535 (hint: give a port number from 1 to 65535)",
              "t.yaml:9:40: spec.containers[0].ports[1].protcol: unknown key \"protcol\" (hint: did you mean \"protocol\"?)"]),
        Case("listApiVersionAndItemPaths", "apiVersion: v2\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: A}\n", [
              "t.yaml:1:13: apiVersion: List is a v1 kind, not \"v2\" (hint: write \"apiVersion: v1\")",
              "t.yaml:6:20: items[0].metadata.name: \"A\" is not a valid Namespace name: 'A' is not allowed (lowercase letters, digits and '-') (hint: namespace names are RFC 1123 labels: lowercase letters, digits and '-', e.g. kube-system)"]),
        Case("errorsOfAllDocumentsSorted", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: Bad}\n---\nkind: Frobnicator\n", [
              "t.yaml:3:21: metadata.namespace: Namespace is cluster-scoped and has no namespace (hint: remove namespace)",
              "t.yaml:7:32: metadata.namespace: \"Bad\" is not a valid namespace name: 'B' is not allowed (lowercase letters, digits and '-') (hint: namespaces are RFC 1123 labels, e.g. default or kube-system)",
              "t.yaml:9:7: kind: unknown kind \"Frobnicator\" (hint: known kinds: IPPool, BGPPeer, BGPConfiguration, Node, IPAMConfiguration, WorkloadEndpoint, BlockAffinity, Namespace, Pod, NetworkPolicy, GlobalNetworkPolicy)"]),
        Case("blockSizeFarOutOfRange", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  blockSize: 300\n", [
              "t.yaml:6:14: spec.blockSize: block size 300 is out of range (hint: IPv4 pools take 20-32 (default 26), IPv6 pools 116-128 (default 122))"]),
        Case("encapsulatedIPv6Pool", Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: fd00::/48\n  vxlanMode: Always\n", [
              "t.yaml:6:14: spec.vxlanMode: fd00::/48 is an IPv6 pool; Tern encapsulates IPv4 pools only (IP-in-IP and VXLAN over IPv4) (hint: use Never for IPv6 pools and let BGP route them natively)"]),        Case("everyPartOfOneDocument", "apiVersion: projectcalico.org/v1\nkind: IPPool\nmetadata: {name: Bad, namespace: x}\nspec: {cidr: 10.0.0.1/8, blockSize: 8}\n", [
              // The pool's own rules (blockSize 8) wait for a valid cidr.
              "t.yaml:1:13: apiVersion: IPPool is a projectcalico.org/v3 kind, not \"projectcalico.org/v1\" (hint: write \"apiVersion: projectcalico.org/v3\")",
              "t.yaml:3:18: metadata.name: \"Bad\" is not a valid IPPool name: 'B' is not allowed (lowercase letters, digits and '-') (hint: IPPool names are RFC 1123 subdomains: lowercase letters, digits, '-' and '.')",
              "t.yaml:3:23: metadata.namespace: IPPool is cluster-scoped and has no namespace (hint: remove namespace)",
              "t.yaml:4:14: spec.cidr: 10.0.0.1/8 has host bits set (hint: use the network address 10.0.0.0/8)"]),
        // The apiVersion picks Calico's NetworkPolicy, whose spec has no podSelector.
        Case("kubernetesSpecInCalicoNetworkPolicy", Self.cal + "kind: NetworkPolicy\nmetadata: {name: a}\nspec: {podSelector: {}}\n", [
              "t.yaml:4:8: spec.podSelector: unknown key \"podSelector\" (hint: did you mean \"selector\"?)"]),
        Case("unsupportedCalicoKind", Self.cal + "kind: StagedNetworkPolicy\nmetadata: {name: a}\nspec: {selector: all()}\n", [
              "t.yaml:2:7: kind: Calico's StagedNetworkPolicy kind is not supported (hint: Tern reads IPPool, BGPPeer, BGPConfiguration, Node, IPAMConfiguration, WorkloadEndpoint, BlockAffinity, Namespace, Pod, NetworkPolicy, GlobalNetworkPolicy)"]),
        Case("onlySeparators", "---\n# nothing yet\n---\n", [
              "t.yaml:1:1: the file holds no resource (hint: write apiVersion, kind, metadata and spec)"]),
        Case("badNodeSelector", Self.cal + "kind: BGPPeer\nmetadata: {name: p}\nspec: {nodeSelector: \"rack ==\", peerIP: 10.0.0.1, asNumber: 64513}\n", [
              "t.yaml:4:22: spec.nodeSelector: selector \"rack ==\": expected a quoted value at column 8 (hint: quote values with ' or \", e.g. app == 'web')"]),
        Case("badPoolSelector", Self.cal + "kind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, nodeSelector: \"has(rack\"}\n", [
              "t.yaml:4:41: spec.nodeSelector: selector \"has(rack\": expected ')' at column 9 (hint: has() takes one label key, e.g. has(app))"]),
    ]

    @Test(arguments: cases) func invalidDocument(_ c: Case) {
        #expect(throws: ConfigErrors.self) { try ResourceCodec.decode(c.yaml, file: "t.yaml") }
        do {
            _ = try ResourceCodec.decode(c.yaml, file: "t.yaml")
        } catch {
            #expect(error.errors.map(\.description) == c.errors)
        }
    }

    @Test func errorsCarryKeyPathAndPlace() throws {
        do {
            _ = try ResourceCodec.decode(Self.cal + "kind: IPPool\nmetadata: {name: a}\nspec:\n  cidr: 10.0.0.0/16\n  ipipMode: sometimes\n",
                                         file: "pools.yaml")
            Issue.record("accepted")
        } catch {
            let e = try #require(error.at("spec.ipipMode").first)
            #expect(e.file == "pools.yaml" && e.line == 6 && e.column == 13)
            #expect(e.message == "\"sometimes\" is not a mode")
            #expect(e.hint == "use one of Always|CrossSubnet|Never")
        }
    }

    @Test func storedValuesAreOneResource() {
        #expect {
            try ResourceCodec.decodeStored([0xff, 0xfe], key: "/tern/ippools/a")
        } throws: { "\($0)" == "/tern/ippools/a: the stored value is not UTF-8 text (hint: the value was not written by Tern)" }
        let two = "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\"}}\n---\n{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"b\"}}\n"
        #expect {
            try ResourceCodec.decodeStored(Array(two.utf8), key: "k")
        } throws: { "\($0)" == "k: a stored value holds one resource, this one holds 2 (hint: the value was not written by Tern)" }
        #expect {
            try ResourceCodec.decodeStored(Array("{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"a\", \"uid\": [1]}}".utf8), key: "/tern/namespaces/a")
        } throws: { "\($0)" == "/tern/namespaces/a:1:76: metadata.uid: expected a string, got a list (hint: write a single value)" }
    }
}
