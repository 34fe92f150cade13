import Digest

/// The host-side name of a workload's veth (CNI.md §B3; Calico `cni-plugin/pkg/dataplane/linux`
/// `dataplane_linux.go`, from libcalico-go's workload endpoint conversion).
public enum HostInterfaceName {
    /// Calico's name: `prefix` + the first 11 hex digits of SHA-1 of `"<namespace>.<name>"` — 15 characters with
    /// the default prefix `cali` (IFNAMSIZ − 1). `name` is the pod's name (``CNIEnvironment/podName``).
    public static func calico(namespace: String, name: String, prefix: String = "cali") -> String {
        prefix + SHA1.hex("\(namespace).\(name)".utf8).prefix(11)
    }
}
