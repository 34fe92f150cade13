import Cluster
import Model
import Testing

/// The keys of the three policy kinds, in Calico's etcd layout under Tern's prefix
/// (../shared/reference/DATASTORE.md C1): the apiVersion keeps the two NetworkPolicy kinds apart.
@Suite struct PolicyResourceKeysTests {
    let keys = ResourceKeys(prefix: "/tern")

    @Test(arguments: [
        (ResourceKind.globalNetworkPolicy, nil as String?, "/tern/resources/projectcalico.org/v3/globalnetworkpolicies/deny-all"),
        (.calicoNetworkPolicy, "shop", "/tern/resources/projectcalico.org/v3/networkpolicies/shop/deny-all"),
        (.networkPolicy, "shop", "/tern/resources/networking.k8s.io/v1/networkpolicies/shop/deny-all"),
    ]) func keyAndBack(_ kind: ResourceKind, _ namespace: String?, _ key: String) throws {
        #expect(keys.key(kind, name: "deny-all", namespace: namespace) == key)
        let parsed = try #require(keys.parse(key))
        #expect(parsed.kind == kind && parsed.namespace == namespace && parsed.name == "deny-all")
    }
}
