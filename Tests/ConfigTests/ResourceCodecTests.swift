import Config
import IPCore
import Model
import Testing

/// Issue 12 (Resources): every kind's golden YAML decodes to the model, and the model
/// encodes to JSON and YAML that decode back to the same resource.
@Suite struct ResourceCodecTests {
    func one(_ yaml: String) throws -> Resource {
        let all = try ResourceCodec.decode(yaml, file: "r.yaml")
        try #require(all.count == 1)
        return all[0]
    }

    func roundTrips(_ r: Resource) throws {
        #expect(try ResourceCodec.decode(ResourceCodec.encodeJSON(r), file: "j") == [r])
        #expect(try ResourceCodec.decode(ResourceCodec.encodeJSON(r, pretty: true), file: "p") == [r])
        #expect(try ResourceCodec.decode(ResourceCodec.encodeYAML([r]), file: "y") == [r])
        #expect(try ResourceCodec.decodeStored(Array(ResourceCodec.encodeJSON(r).utf8), key: "/tern/x") == r)
    }

    @Test func ipPool() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: pool-a
              labels: {zone: a}
            spec:
              cidr: 10.244.0.0/16
              blockSize: 24
              ipipMode: CrossSubnet
              natOutgoing: true
              disabled: false
              nodeSelector: all()
            """)
        #expect(r.metadata == ResourceMetadata(name: "pool-a", labels: ["zone": "a"]))
        #expect(r.spec == .ipPool(IPPoolSpec(cidr: IPPrefix("10.244.0.0/16")!, blockSize: 24, ipipMode: .CrossSubnet,
                                             natOutgoing: true, nodeSelector: "all()")))
        #expect(r.kind == .ipPool && r.metadata.namespace == nil)
        try roundTrips(r)
    }

    @Test func bgpPeerForms() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor-a}
            spec:
              node: node-a
              peerIP: 192.0.2.1:1179
              asNumber: 64513
              password:
                secretKeyRef: {name: bgp-secrets, key: tor-a}
              keepOriginalNextHop: true
            """)
        #expect(r.spec == .bgpPeer(BGPPeerSpec(node: "node-a", peerIP: IPAddress("192.0.2.1")!, peerPort: 1179, asNumber: 64513,
                                               password: .secretKeyRef(name: "bgp-secrets", key: "tor-a"), keepOriginalNextHop: true)))
        try roundTrips(r)
        let v6 = try one("""
            {"apiVersion": "projectcalico.org/v3", "kind": "BGPPeer", "metadata": {"name": "v6"},
             "spec": {"nodeSelector": "rack == 'a'", "peerIP": "[2001:db8::1]:1179", "asNumber": 65000, "password": {"file": "/etc/tern/p"}}}
            """)
        #expect(v6.spec == .bgpPeer(BGPPeerSpec(nodeSelector: "rack == 'a'", peerIP: IPAddress("2001:db8::1")!, peerPort: 1179,
                                                asNumber: 65000, password: .file("/etc/tern/p"))))
        try roundTrips(v6)
        let bare = try one("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: b}\nspec: {peerIP: '2001:db8::2', asNumber: 1}\n")
        #expect(bare.spec == .bgpPeer(BGPPeerSpec(peerIP: IPAddress("2001:db8::2")!, asNumber: 1)))
        let rr = try one("apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: rr}\nspec: {nodeSelector: all(), peerSelector: has(rr)}\n")
        #expect(rr.spec == .bgpPeer(BGPPeerSpec(nodeSelector: "all()", peerSelector: "has(rr)")))
        try roundTrips(rr)
    }

    @Test func bgpConfiguration() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: BGPConfiguration
            metadata:
              name: default
            spec:
              logSeverityScreen: Info
              nodeToNodeMeshEnabled: false
              asNumber: 63400
              serviceClusterIPs:
              - cidr: 10.96.0.0/12
              - cidr: fd00:10:96::/112
              listenPort: 1179
            """)
        #expect(r.spec == .bgpConfiguration(BGPConfigurationSpec(
            asNumber: 63400, nodeToNodeMeshEnabled: false, logSeverityScreen: "Info",
            serviceClusterIPs: [IPPrefix("10.96.0.0/12")!, IPPrefix("fd00:10:96::/112")!], listenPort: 1179)))
        try roundTrips(r)
        // No spec: the defaults.
        let bare = try one("apiVersion: projectcalico.org/v3\nkind: BGPConfiguration\nmetadata: {name: default}\n")
        #expect(bare.spec == .bgpConfiguration(BGPConfigurationSpec()))
        try roundTrips(bare)
    }

    @Test func node() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: Node
            metadata:
              name: node-a
              labels: {rack: a, route-reflector: "true"}
              resourceVersion: "1234"
              uid: 5d9c6a4e-1c3b-4d0e-9b5c-0a6f7e8d9c01
              creationTimestamp: "2026-12-07T10:00:00Z"
            spec:
              orchRefs: [{nodeName: node-a, orchestrator: k8s}]
              bgp:
                ipv4Address: 192.168.77.1/24
                ipv6Address: 2001:db8::1/64
                asNumber: 64512
                routeReflectorClusterID: 224.0.0.1
                ipv4IPIPTunnelAddr: 10.244.1.1
            status: {podCIDRs: [10.244.1.0/24]}
            """)
        #expect(r.metadata == ResourceMetadata(name: "node-a", labels: ["rack": "a", "route-reflector": "true"],
                                               resourceVersion: "1234", creationTimestamp: "2026-12-07T10:00:00Z",
                                               uid: "5d9c6a4e-1c3b-4d0e-9b5c-0a6f7e8d9c01"))
        #expect(r.spec == .node(NodeResourceSpec(bgp: NodeBGPSpec(
            ipv4Address: InterfaceAddress("192.168.77.1/24"), ipv6Address: InterfaceAddress("2001:db8::1/64"),
            asNumber: 64512, routeReflectorClusterID: "224.0.0.1"))))
        try roundTrips(r)
        // calico-node's and templates' leftovers: ignored keys, a null label map.
        let noBGP = try one("apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: n\n  labels:\n  annotations:\n  generation: 3\n")
        #expect(noBGP.spec == .node(NodeResourceSpec()))
        try roundTrips(noBGP)
    }

    @Test func ipamConfiguration() throws {
        let r = try one("apiVersion: projectcalico.org/v3\nkind: IPAMConfiguration\nmetadata: {name: default}\nspec: {strictAffinity: true, maxBlocksPerHost: 4}\n")
        #expect(r.spec == .ipamConfiguration(IPAMConfigurationSpec(strictAffinity: true, maxBlocksPerHost: 4)))
        try roundTrips(r)
    }

    @Test func workloadEndpoint() throws {
        let r = try one("""
            apiVersion: projectcalico.org/v3
            kind: WorkloadEndpoint
            metadata:
              name: node--a-k8s-web--0-eth0
              namespace: shop
              labels: {app: web}
            spec:
              orchestrator: k8s
              node: node-a
              pod: web-0
              containerID: 4f1c2e
              endpoint: eth0
              interfaceName: cali1234abcd
              mac: 02:42:ac:11:00:02
              ipNetworks: [10.244.1.5/32, fd00::5/128]
            """)
        #expect(r.qualifiedName == "shop/node--a-k8s-web--0-eth0")
        #expect(r.spec == .workloadEndpoint(WorkloadEndpointSpec(
            orchestrator: "k8s", node: "node-a", pod: "web-0", containerID: "4f1c2e", endpoint: "eth0",
            interfaceName: "cali1234abcd", mac: MACAddress("02:42:ac:11:00:02"),
            ipNetworks: [IPPrefix("10.244.1.5/32")!, IPPrefix("fd00::5/128")!])))
        try roundTrips(r)
        // Namespaced kinds default to `default`.
        let d = try one("apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata: {name: w}\nspec: {node: a, pod: p, interfaceName: cali1, ipNetworks: []}\n")
        #expect(d.metadata.namespace == "default")
    }

    @Test func blockAffinityAcceptsDeletedAsStringOrBool() throws {
        let stored = try ResourceCodec.decodeStored(Array("""
            {"apiVersion":"projectcalico.org/v3","kind":"BlockAffinity","metadata":{"name":"node-a-10-244-1-0-26"},
             "spec":{"state":"confirmed","node":"node-a","cidr":"10.244.1.0/26","deleted":"false"}}
            """.utf8), key: "/tern/blockaffinities/node-a-10-244-1-0-26")
        let spec = BlockAffinitySpec(state: .confirmed, node: "node-a", cidr: IPPrefix("10.244.1.0/26")!)
        #expect(stored.spec == .blockAffinity(spec))
        try roundTrips(stored)
        // Calico's own spelling of the value comes out.
        #expect(ResourceCodec.encodeJSON(stored).contains(#""deleted":"false""#))
        let yes = try one("apiVersion: projectcalico.org/v3\nkind: BlockAffinity\nmetadata: {name: b}\nspec: {state: pendingDeletion, node: n, cidr: 10.244.2.0/26, deleted: true}\n")
        #expect(yes.spec == .blockAffinity(BlockAffinitySpec(state: .pendingDeletion, node: "n", cidr: IPPrefix("10.244.2.0/26")!, deleted: true)))
        try roundTrips(yes)
    }

    @Test func namespaceIgnoresSpecAndStatus() throws {
        let r = try one("""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
              labels: {kubernetes.io/metadata.name: shop, team: a}
            spec: {finalizers: [kubernetes]}
            status: {phase: Active}
            """)
        #expect(r.spec == .namespace)
        #expect(r.metadata == ResourceMetadata(name: "shop", labels: ["kubernetes.io/metadata.name": "shop", "team": "a"]))
        try roundTrips(r)
    }

    @Test func realPodManifestKeepsItsNamedPorts() throws {
        let r = try one("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: web-0
              namespace: shop
              generateName: web-
              labels: {app: web}
              ownerReferences:
              - {apiVersion: apps/v1, kind: StatefulSet, name: web, uid: 1234}
            spec:
              restartPolicy: Always
              nodeName: node-a
              containers:
              - name: nginx
                image: nginx:alpine
                args: ["-g", "daemon off;"]
                resources: {limits: {cpu: 100m}}
                ports:
                - {name: http, containerPort: 80}
                - {containerPort: 8080}
                - {name: dns, containerPort: 53, protocol: UDP, hostPort: 5353}
              - name: sidecar
                image: busybox
              volumes: [{name: data, emptyDir: {}}]
            status: {phase: Running, podIP: 10.244.1.5}
            """)
        #expect(r.metadata == ResourceMetadata(name: "web-0", namespace: "shop", labels: ["app": "web"]))
        #expect(r.spec == .pod(PodSpec(ports: [NamedPort(name: "http", port: 80), NamedPort(name: "dns", port: 53, transport: .udp)])))
        try roundTrips(r)
    }

    @Test func networkPolicyInFull() throws {
        let r = try one("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: db, namespace: shop}
            spec:
              podSelector:
                matchLabels: {app: db}
                matchExpressions:
                - {key: tier, operator: In, values: [backend, cache]}
                - {key: canary, operator: DoesNotExist}
              policyTypes: [Ingress, Egress]
              ingress:
              - from:
                - podSelector: {matchLabels: {app: api}}
                  namespaceSelector: {matchLabels: {team: a}}
                - namespaceSelector: {}
                - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
                ports:
                - {port: 5432}
                - {protocol: UDP, port: 30000, endPort: 32767}
                - {protocol: SCTP, port: metrics}
              egress:
              - {}
            """)
        let want = NetworkPolicySpec(
            podSelector: LabelSelector(matchLabels: ["app": "db"], matchExpressions: [
                LabelSelectorRequirement(key: "tier", operator: .in, values: ["backend", "cache"]),
                LabelSelectorRequirement(key: "canary", operator: .doesNotExist),
            ]),
            policyTypes: [.ingress, .egress],
            ingress: [NetworkPolicyRule(
                peers: [.podsInNamespaces(pods: LabelSelector(matchLabels: ["app": "api"]), namespaces: LabelSelector(matchLabels: ["team": "a"])),
                        .namespaces(LabelSelector()),
                        .ipBlock(IPBlock(cidr: IPPrefix("10.0.0.0/8")!, except: [IPPrefix("10.1.0.0/16")!]))],
                ports: [NetworkPolicyPort(port: .number(5432)),
                        NetworkPolicyPort(transport: .udp, port: .number(30000), endPort: 32767),
                        NetworkPolicyPort(transport: .sctp, port: .named("metrics"))])],
            egress: [NetworkPolicyRule()])
        #expect(r.spec == .networkPolicy(want))
        try roundTrips(r)
    }

    @Test func policyTypesAbsentStaysAbsent() throws {
        let r = try one("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: egress-only}
            spec:
              podSelector: {}
              egress: [{to: [{podSelector: {}}]}]
            """)
        guard case .networkPolicy(let n) = r.spec else { Issue.record("not a policy"); return }
        #expect(n.policyTypes == nil)
        #expect(n.effectivePolicyTypes == [.ingress, .egress])
        #expect(r.metadata.namespace == "default")
        #expect(!ResourceCodec.encodeJSON(r).contains("policyTypes"))
        try roundTrips(r)
    }

    @Test func calicoctlApplyManifest() throws {
        let all = try ResourceCodec.decode("""
            # calicoctl apply -f cluster.yaml
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: default-ipv4-ippool
            spec:
              cidr: 192.168.0.0/16
              ipipMode: Always
              natOutgoing: true
            ---
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata:
              name: rack1-tor
            spec:
              peerIP: 192.20.30.40
              asNumber: 64567
              nodeSelector: rack == 'rack-1'
            ---
            apiVersion: projectcalico.org/v3
            kind: BGPConfiguration
            metadata:
              name: default
            spec:
              logSeverityScreen: Info
              nodeToNodeMeshEnabled: false
              asNumber: 63400
            ---
            """, file: "cluster.yaml")
        #expect(all.map(\.kind) == [.ipPool, .bgpPeer, .bgpConfiguration])
        #expect(all.map(\.metadata.name) == ["default-ipv4-ippool", "rack1-tor", "default"])
        #expect(all[0].spec == .ipPool(IPPoolSpec(cidr: IPPrefix("192.168.0.0/16")!, ipipMode: .Always, natOutgoing: true)))
        #expect(all[1].spec == .bgpPeer(BGPPeerSpec(nodeSelector: "rack == 'rack-1'", peerIP: IPAddress("192.20.30.40")!, asNumber: 64567)))
        // The three back through one YAML stream.
        #expect(try ResourceCodec.decode(ResourceCodec.encodeYAML(all), file: "y") == all)
    }

    @Test func kubectlList() throws {
        let all = try ResourceCodec.decode("""
            {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
              {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}},
              {"apiVersion": "projectcalico.org/v3", "kind": "IPAMConfiguration", "metadata": {"name": "default"}, "spec": {}}
            ]}
            """, file: "list.json")
        #expect(all == [Resource(metadata: ResourceMetadata(name: "a"), spec: .namespace),
                        Resource(metadata: ResourceMetadata(name: "default"), spec: .ipamConfiguration(IPAMConfigurationSpec()))])
    }

    @Test func jsonIsDeterministicAndKubectlShaped() throws {
        let r = Resource(metadata: ResourceMetadata(name: "pool-a", labels: ["z": "1", "a": "2"], resourceVersion: "7"),
                         spec: .ipPool(IPPoolSpec(cidr: IPPrefix("10.244.0.0/16")!, vxlanMode: .Always)))
        #expect(ResourceCodec.encodeJSON(r) ==
            #"{"apiVersion":"projectcalico.org/v3","kind":"IPPool","metadata":{"name":"pool-a","labels":{"a":"2","z":"1"},"resourceVersion":"7"},"spec":{"cidr":"10.244.0.0/16","vxlanMode":"Always"}}"#)
        #expect(ResourceCodec.encodeJSON(r, pretty: true) == """
            {
              "apiVersion": "projectcalico.org/v3",
              "kind": "IPPool",
              "metadata": {
                "name": "pool-a",
                "labels": {
                  "a": "2",
                  "z": "1"
                },
                "resourceVersion": "7"
              },
              "spec": {
                "cidr": "10.244.0.0/16",
                "vxlanMode": "Always"
              }
            }
            """)
        #expect(ResourceCodec.encodeYAML([r]) == """
            ---
            apiVersion: projectcalico.org/v3
            kind: IPPool
            metadata:
              name: pool-a
              labels:
                a: "2"
                z: "1"
              resourceVersion: "7"
            spec:
              cidr: "10.244.0.0/16"
              vxlanMode: Always

            """)
    }
}

/// Model → JSON/YAML → model for values built in code (not decoded first), with the text
/// YAML could misread: every string comes back as the same string.
@Suite struct ResourceEncodeTests {
    static let awkward = ["", "yes", "No", "null", "~", "true", "a: b", "- x", "#c", "line\nbreak", "tab\there", "ünïcödé",
                          "123", "0x1F", "1e3", ".5", "{x}", "[x]", "*a", "&a", "!t", "%x", "@x", "`x`", "\"q\"", "back\\slash",
                          "trailing.", "  spaced  ", "\u{1}ctl", "{\"json\": [1, 2]}"]

    static var samples: [Resource] {
        var annotations: [String: String] = [:]
        for (i, v) in awkward.enumerated() { annotations["example.com/a\(i)"] = v }
        let md = ResourceMetadata(name: "x.y-1", labels: ["app": "web", "empty": ""], annotations: annotations,
                                  resourceVersion: "42", creationTimestamp: "2026-12-07T10:00:00Z", uid: "u-1")
        var ns = md
        ns.namespace = "shop"
        return [
            Resource(metadata: md, spec: .ipPool(IPPoolSpec(cidr: IPPrefix("fd00:10::/48")!, blockSize: 122, natOutgoing: true,
                                                            disabled: true, nodeSelector: "!has(edge)"))),
            Resource(metadata: md, spec: .bgpPeer(BGPPeerSpec(node: "n1", peerIP: IPAddress("2001:db8::7")!, peerPort: 1790,
                                                              asNumber: 4_200_000_000, password: .file("/run/secret"), keepOriginalNextHop: true))),
            Resource(metadata: md, spec: .bgpConfiguration(BGPConfigurationSpec(nodeToNodeMeshEnabled: true, logSeverityScreen: "Fatal"))),
            Resource(metadata: md, spec: .node(NodeResourceSpec(bgp: NodeBGPSpec(ipv6Address: InterfaceAddress("2001:db8::5/64"))))),
            Resource(metadata: md, spec: .ipamConfiguration(IPAMConfigurationSpec(maxBlocksPerHost: 1))),
            Resource(metadata: ns, spec: .workloadEndpoint(WorkloadEndpointSpec(node: "n", pod: "p", interfaceName: "cali0", ipNetworks: []))),
            Resource(metadata: md, spec: .blockAffinity(BlockAffinitySpec(state: .pending, node: "n", cidr: IPPrefix("fd00:10::/122")!))),
            Resource(metadata: ResourceMetadata(name: "ns-1", labels: ["kubernetes.io/metadata.name": "ns-1"]), spec: .namespace),
            Resource(metadata: ns, spec: .pod(PodSpec())),
            Resource(metadata: ns, spec: .networkPolicy(NetworkPolicySpec(
                podSelector: LabelSelector(matchExpressions: [LabelSelectorRequirement(key: "a", operator: .exists)]),
                policyTypes: [], ingress: [NetworkPolicyRule(), NetworkPolicyRule(peers: [.namespaces(.everything), .pods(.everything)])],
                egress: [NetworkPolicyRule(ports: [NetworkPolicyPort(transport: .udp), NetworkPolicyPort(port: .named("dns"))])]))),
            Resource(metadata: md, spec: .globalNetworkPolicy(CalicoPolicySpec(
                order: 100, namespaceSelector: try! CalicoSelector(parsing: "has(team)"), types: [.egress],
                egress: [CalicoRule(action: .deny, destination: CalicoEntityRule(nets: [IPPrefix("10.0.0.0/8")!]))]))),
            Resource(metadata: ns, spec: .calicoNetworkPolicy(CalicoPolicySpec(
                selector: try! CalicoSelector(parsing: "role == 'database'"),
                ingress: [CalicoRule(action: .allow, protocol: .tcp, source: CalicoEntityRule(selector: try! CalicoSelector(parsing: "role == 'frontend'")),
                                     destination: CalicoEntityRule(ports: [.port(6379)]))]))),
        ]
    }

    @Test func everyKindRoundTrips() throws {
        let all = Self.samples
        #expect(Set(all.map(\.kind)) == Set(ResourceKind.allCases))
        for r in all {
            #expect(try ResourceCodec.decode(ResourceCodec.encodeJSON(r), file: "j") == [r], "\(r.kind) JSON")
            #expect(try ResourceCodec.decode(ResourceCodec.encodeJSON(r, pretty: true), file: "p") == [r], "\(r.kind) pretty JSON")
        }
        #expect(try ResourceCodec.decode(ResourceCodec.encodeYAML(all), file: "y") == all)
    }

    @Test func encodingIsStable() {
        // Dictionaries iterate in a different order per process; the text does not.
        for r in Self.samples {
            #expect(ResourceCodec.encodeJSON(r) == ResourceCodec.encodeJSON(Resource(metadata: r.metadata, spec: r.spec)))
        }
        let r = Self.samples[9]
        #expect(ResourceCodec.encodeJSON(r).contains(#""spec":{"podSelector":{"matchExpressions":[{"key":"a","operator":"Exists"}]},"policyTypes":[],"ingress":[{},{"from":[{"namespaceSelector":{}},{"podSelector":{}}]}],"egress":[{"ports":[{"protocol":"UDP"},{"protocol":"TCP","port":"dns"}]}]}"#))
    }
}
