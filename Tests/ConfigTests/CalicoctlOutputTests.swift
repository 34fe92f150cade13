import Config
import IPCore
import Model
import Testing

/// What `calicoctl get ... -o yaml` prints applies to Tern unchanged: the `<Kind>List`
/// wrapper, the server-written metadata and the Calico fields Tern does not act on.
@Suite struct CalicoctlOutputTests {
    static let ippools = """
        apiVersion: projectcalico.org/v3
        items:
        - apiVersion: projectcalico.org/v3
          kind: IPPool
          metadata:
            creationTimestamp: "2024-05-02T09:14:11Z"
            name: default-ipv4-ippool
            resourceVersion: "733"
            uid: 3a4e1f0c-6a8b-4a43-9a2e-1d0b5e4c2f11
          spec:
            allowedUses:
            - Workload
            - Tunnel
            blockSize: 26
            cidr: 192.168.0.0/16
            ipipMode: Always
            natOutgoing: true
            nodeSelector: all()
            vxlanMode: Never
        kind: IPPoolList
        metadata:
          resourceVersion: "1000"
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPPeer
        metadata:
          name: rack1-tor
        spec:
          asNumber: 64513
          nodeSelector: rack == 'rack-1'
          peerIP: 192.168.77.254
          sourceAddress: UseNodeIP
          maxRestartTime: 120s
          keepOriginalNextHop: false
        ---
        apiVersion: projectcalico.org/v3
        kind: BGPConfiguration
        metadata:
          name: default
        spec:
          asNumber: 64512
          logSeverityScreen: Info
          nodeToNodeMeshEnabled: true
          bindMode: None
          serviceClusterIPs:
          - cidr: 10.96.0.0/12

        """

    @Test func appliesUnchanged() throws {
        let rs = try ResourceCodec.decode(Self.ippools, file: "calicoctl.yaml")
        #expect(rs.map(\.kind) == [.ipPool, .bgpPeer, .bgpConfiguration])
        guard case .ipPool(let p) = rs[0].spec else { Issue.record("not a pool"); return }
        #expect(p.cidr == IPPrefix("192.168.0.0/16")! && p.ipipMode == .Always && p.natOutgoing && p.nodeSelector == "all()")
        #expect(rs[0].metadata.uid == "3a4e1f0c-6a8b-4a43-9a2e-1d0b5e4c2f11")
        guard case .bgpPeer(let peer) = rs[1].spec else { Issue.record("not a peer"); return }
        #expect(peer.asNumber == 64513 && peer.nodeSelector == "rack == 'rack-1'")
    }

    @Test func aTypoNextToIgnoredFieldsIsStillAnError() {
        let yaml = "apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.0.0.0/16, allowedUses: [Workload], natOutgong: true}\n"
        do {
            _ = try ResourceCodec.decode(yaml, file: "t.yaml")
            Issue.record("accepted a typo")
        } catch {
            #expect(error.errors.contains { $0.keyPath == "spec.natOutgong" && $0.hint == "did you mean \"natOutgoing\"?" }, "\(error)")
        }
    }
}
