import CNI
import Testing

@Suite struct HostInterfaceNameTests {
    /// Expected values: `printf '%s' 'NS.NAME' | sha1sum`, "cali" + the first 11 hex digits.
    @Test func calicoNames() {
        #expect(HostInterfaceName.calico(namespace: "default", name: "nginx") == "calic440f455693")
        #expect(HostInterfaceName.calico(namespace: "kube-system", name: "coredns-5d78c9869d-abcde") == "cali4d5f75c480c")
        #expect(HostInterfaceName.calico(namespace: "default", name: "default-ctrtest1") == "calid8e8c34d331")
        #expect(HostInterfaceName.calico(namespace: "default", name: "nginx", prefix: "tern") == "ternc440f455693")
        #expect(HostInterfaceName.calico(namespace: "default", name: "nginx").utf8.count == 15)
    }
}
