import Model
import Yams

/// Reads and writes datastore resources in the shapes `calicoctl` and `kubectl` users write:
/// Calico's `projectcalico.org/v3` kinds (GlobalNetworkPolicy and NetworkPolicy among them),
/// Kubernetes `v1` Namespace and Pod and `networking.k8s.io/v1` NetworkPolicy (see
/// ``ResourceKind``; `kind: NetworkPolicy` is picked by its apiVersion).
///
/// Decoding uses the configuration loader's machinery (``FieldTable``s, ``Reader``): every
/// problem of every document is collected, sorted by place, and thrown at once, each with
/// file:line:column, key path and a hint (unknown kinds and keys get "did you mean").
///
/// What is accepted and ignored: in `metadata`, the server-written keys Tern does not use
/// (`generateName`, `generation`, `ownerReferences`, `finalizers`, `managedFields`,
/// `selfLink`, `deletionTimestamp`, `deletionGracePeriodSeconds`); a top-level `status`;
/// a Namespace's `spec`; every Pod spec key except `containers[].ports[]` (users apply
/// their real pod manifests); in a Node's spec, the keys calico-node writes that Tern does
/// not use (`addresses`, `orchRefs`, the VXLAN/WireGuard tunnel keys). Anything else not
/// known is an error.
public enum ResourceCodec {
    /// The resources in `text`: YAML or JSON (JSON is YAML), one or many `---`-separated
    /// documents, or a kubectl `kind: List` with `items`. `file` names the text in errors.
    public static func decode(_ text: String, file: String) throws(ConfigErrors) -> [Resource] {
        let reader = Reader(file: file)
        let out = reader.resources(text)
        if !reader.errors.isEmpty { throw ConfigErrors(reader.sortedErrors) }
        return out
    }

    /// One resource as the datastore stores it (JSON bytes); `key` names it in errors.
    public static func decodeStored(_ bytes: [UInt8], key: String) throws(ConfigErrors) -> Resource {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ConfigErrors([ConfigError(file: key, line: 0, column: 0, keyPath: "",
                                            message: "the stored value is not UTF-8 text", hint: "the value was not written by Tern")])
        }
        let all = try decode(text, file: key)
        guard all.count == 1 else {
            throw ConfigErrors([ConfigError(file: key, line: 0, column: 0, keyPath: "",
                                            message: "a stored value holds one resource, this one holds \(all.count)",
                                            hint: "the value was not written by Tern")])
        }
        return all[0]
    }

    /// The resource as Calico/Kubernetes JSON: apiVersion, kind, metadata (name, namespace,
    /// labels, annotations, resourceVersion, uid, creationTimestamp; the absent and empty
    /// left out), spec; keys in that fixed order, map keys sorted, default values left out.
    /// `pretty` puts one key per line, indented by two spaces.
    public static func encodeJSON(_ r: Resource, pretty: Bool = false) -> String {
        tree(r).json(pretty: pretty)
    }

    /// The resources as block YAML documents, each starting with `---`.
    public static func encodeYAML(_ resources: [Resource]) -> String {
        resources.map { "---\n" + tree($0).yaml() }.joined()
    }
}
