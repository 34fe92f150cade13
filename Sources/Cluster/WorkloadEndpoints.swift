import Model

/// The `WorkloadEndpoint` resources a node writes for its workloads (Calico's calico-node
/// and CNI plugin do the same), so `tern get workloadendpoints -A` shows every pod of the
/// cluster with its node, interface and addresses.
public enum WorkloadEndpoints {
    /// The endpoint of workload `w` on `node`: named `<node>-<workload>` (a DNS-1123 name:
    /// other characters become '-'), in the workload's namespace, with its labels.
    public static func resource(for w: Workload, node: String) -> Resource {
        let raw = "\(node)-\(w.name)".lowercased()
        let name = String(raw.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "-" })
        return Resource(
            metadata: ResourceMetadata(name: name, namespace: w.namespace, labels: w.labels),
            spec: .workloadEndpoint(WorkloadEndpointSpec(
                orchestrator: "tern", node: node, pod: w.name, endpoint: "eth0",
                interfaceName: w.interface.description, mac: w.mac, ipNetworks: w.ipNetworks)))
    }

    /// Whether two endpoints say the same (ignoring what the store stamps on them).
    static func same(_ a: Resource, _ b: Resource) -> Bool {
        a.spec == b.spec && a.metadata.labels == b.metadata.labels && a.metadata.name == b.metadata.name
            && a.metadata.namespace == b.metadata.namespace
    }
}
