import Model
import Yams

// The documents of a manifest, their kind and apiVersion, and `metadata`.

/// One document's top-level keys as read (the spec node is read by the kind's table after).
struct DocumentEntry {
    var metadata = MetadataEntry()
    var spec: Node?
}

/// `metadata` as written (nil: not written, or rejected).
struct MetadataEntry: Sendable {
    var name: String?
    var namespace: String?
    var labels: [String: String]?
    var annotations: [String: String]?
    var resourceVersion: String?
    var uid: String?
    var creationTimestamp: String?
}

extension ResourceCodec {
    /// `metadata`: name (required), namespace, labels, annotations and the store's keys; the
    /// other keys of Kubernetes object metadata are accepted and ignored.
    static let metadataFields = FieldTable<MetadataEntry>(
        "the metadata",
        ignoring: ["generateName", "generation", "ownerReferences", "finalizers", "managedFields", "selfLink",
                   "deletionTimestamp", "deletionGracePeriodSeconds"], [
            Field("name", required: "add \"name: <resource name>\" under metadata", into: \.name) { r, v, p in
                r.nonEmptyText(v, p, what: "a name")
            },
            Field("namespace", into: \.namespace) { r, v, p in r.nonEmptyText(v, p, what: "a namespace") },
            // A null map (`labels:` left empty by a template) is no labels, as kubectl reads it.
            Field("labels", into: \.labels) { r, v, p in Reader.isNull(v) ? [:] : r.stringMap(v, p, what: "labels") },
            Field("annotations", into: \.annotations) { r, v, p in Reader.isNull(v) ? [:] : r.stringMap(v, p, what: "annotations") },
            Field("resourceVersion", into: \.resourceVersion) { r, v, p in r.text(v, p) },
            Field("uid", into: \.uid) { r, v, p in r.text(v, p) },
            Field("creationTimestamp", into: \.creationTimestamp) { r, v, p in r.text(v, p) },
        ])

    /// Calico kinds Tern does not read: named as such rather than as unknown (and not
    /// "corrected" to a kind Tern has, as `StagedNetworkPolicy` would be).
    static let unsupportedCalicoKinds: Set<String> = [
        "StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "FelixConfiguration", "HostEndpoint",
        "Profile", "GlobalNetworkSet", "NetworkSet", "KubeControllersConfiguration", "IPReservation", "Tier", "BGPFilter",
        "CalicoNodeStatus", "ClusterInformation",
    ]

    /// The kinds whose spec must be written (they have required fields).
    static func specRequired(_ kind: ResourceKind) -> Bool {
        switch kind {
        case .ipPool, .bgpPeer, .workloadEndpoint, .blockAffinity, .networkPolicy: return true
        default: return false
        }
    }

    /// The top level of a document of `kind`.
    static func documentFields(_ kind: ResourceKind) -> FieldTable<DocumentEntry> {
        let specHint = specRequired(kind) ? "add the \(kind) spec under \"spec:\"" : nil
        return FieldTable<DocumentEntry>(
            "a resource", shapeHint: "a resource is a mapping with apiVersion, kind, metadata and spec",
            ignoring: ["status"], topLevelName: "the document", [
                Field("apiVersion", required: "add \"apiVersion: \(kind.apiVersion)\"") { r, v, p, _ in
                    guard let t = r.nonEmptyText(v, p, what: "an apiVersion") else { return false }
                    guard t == kind.apiVersion else {
                        // NetworkPolicy is a kind of two APIs: name both.
                        let versions = ResourceKind.allCases.filter { $0.kindName == kind.kindName }.map(\.apiVersion)
                        r.fail(v, p, "\(kind.kindName) is a \(versions.joined(separator: " or ")) kind, not \"\(t)\"",
                               hint: "write \"apiVersion: \(versions.joined(separator: "\" or \"apiVersion: "))\"")
                        return false
                    }
                    return true
                },
                Field("kind") { _, _, _, _ in true },
                Field("metadata", required: "add metadata with at least \"name:\"") { r, v, p, d in
                    guard let m = metadataFields.read(v, at: p, into: MetadataEntry(), r) else { return false }
                    d.metadata = m.value
                    return r.checkMetadata(m, kind: kind)
                },
                Field("spec", required: specHint) { _, v, _, d in
                    d.spec = v
                    return true
                },
            ])
    }
}

extension Reader {
    /// Every resource of every document of `text` (errors collected; a YAML syntax error
    /// ends the reading, since nothing after it has a reliable structure).
    func resources(_ text: String) -> [Resource] {
        var out: [Resource] = []
        do {
            let parser = try Parser(yaml: text)
            var count = 0
            while let root = try parser.nextRoot() {
                if Reader.isNull(root) { continue }  // an empty document (`---` at the end)
                count += 1
                out += resources(root, at: "")
            }
            if count == 0 {
                fail(nil, "", "the file holds no resource", hint: "write apiVersion, kind, metadata and spec")
            }
        } catch let error as YamlError {
            yamlError(error)
        } catch {
            errors.append(ConfigError(file: file, line: 1, column: 1, keyPath: "", message: "\(error)"))
        }
        return out
    }

    /// The resources of one document (one, or a List's items) at key path `prefix`.
    func resources(_ node: Node, at prefix: String) -> [Resource] {
        func path(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
        guard case .mapping(let m) = node else {
            fail(node, prefix, "expected a resource (a mapping with apiVersion, kind, metadata and spec), got \(Reader.describe(node))",
                 hint: "each document is one resource")
            return []
        }
        let kinds = ResourceKind.kindNames
        guard let kindNode = m["kind"] else {
            fail(node, path("kind"), "missing required key \"kind\" in \(prefix.isEmpty ? "the document" : prefix)",
                 hint: "add \"kind:\", one of \(kinds.joined(separator: ", "))")
            return []
        }
        guard let kindText = nonEmptyText(kindNode, path("kind"), what: "a kind") else { return [] }
        if kindText == "List" { return list(node, m, at: prefix) }
        // calicoctl's `get -o yaml` wraps several resources as `kind: <Kind>List`
        // (`apiVersion: projectcalico.org/v3`, `items`): read the items.
        let apiVersion = m["apiVersion"].flatMap { if case .scalar(let s) = $0 { return s.string } else { return nil } }
        if kindText.hasSuffix("List"), let item = ResourceKind.kind(named: String(kindText.dropLast(4)), apiVersion: apiVersion) {
            return list(node, m, at: prefix, kind: kindText, apiVersion: item.apiVersion)
        }
        if ResourceCodec.unsupportedCalicoKinds.contains(kindText) {
            fail(kindNode, path("kind"), "Calico's \(kindText) kind is not supported",
                 hint: "Tern reads \(kinds.joined(separator: ", "))")
            return []
        }
        guard let kind = ResourceKind.kind(named: kindText, apiVersion: apiVersion) else {
            let hint = suggestion(for: kindText, among: kinds + ["List"]).map { "did you mean \"\($0)\"?" }
                ?? "known kinds: \(kinds.joined(separator: ", "))"
            fail(kindNode, path("kind"), "unknown kind \"\(kindText)\"", hint: hint)
            return []
        }
        guard let doc = ResourceCodec.documentFields(kind).read(node, at: prefix, into: DocumentEntry(), self) else { return [] }
        // The spec is read even when the rest failed, so its errors are reported too.
        let spec = self.spec(of: kind, doc.value.spec, at: path("spec"))
        guard doc.isComplete, let spec else { return [] }
        let md = doc.value.metadata
        guard let name = md.name else { return [] }
        let namespace = kind.isNamespaced ? (md.namespace ?? Workload.defaultNamespace) : nil
        let metadata = ResourceMetadata(name: name, namespace: namespace, labels: md.labels ?? [:],
                                        annotations: md.annotations ?? [:], resourceVersion: md.resourceVersion,
                                        creationTimestamp: md.creationTimestamp, uid: md.uid)
        return [Resource(metadata: metadata, spec: spec)]
    }

    /// A kubectl `kind: List` (`apiVersion: v1`, `items`), or calicoctl's `<Kind>List`
    /// (`apiVersion` that of the kind).
    func list(_ node: Node, _ m: Node.Mapping, at prefix: String, kind: String = "List", apiVersion: String = "v1") -> [Resource] {
        let table = FieldTable<[Resource]>("a list", ignoring: ["metadata"], topLevelName: "the document", [
            Field("apiVersion", required: "add \"apiVersion: \(apiVersion)\"") { r, v, p, _ in
                guard let t = r.nonEmptyText(v, p, what: "an apiVersion") else { return false }
                if t != apiVersion {
                    r.fail(v, p, "\(kind) is a \(apiVersion) kind, not \"\(t)\"", hint: "write \"apiVersion: \(apiVersion)\"")
                    return false
                }
                return true
            },
            Field("kind") { _, _, _, _ in true },
            Field("items", required: "add the resources under \"items:\"") { r, v, p, out in
                guard let items = r.list(v, p, example: "{apiVersion: ..., kind: ..., metadata: {name: ...}, spec: {...}}") else {
                    return false
                }
                for (i, item) in items.enumerated() { out += r.resources(item, at: "\(p)[\(i)]") }
                return true
            },
        ])
        return table.read(node, at: prefix, into: [], self)?.value ?? []
    }

    /// The checks of `metadata` for `kind`: the name's syntax, the namespace's presence and
    /// syntax, the labels (Kubernetes label syntax). False when one failed (reported).
    func checkMetadata(_ m: ReadMapping<MetadataEntry>, kind: ResourceKind) -> Bool {
        var ok = m.isComplete
        if let name = m.value.name, let node = m["name"] {
            // Namespaces are RFC 1123 labels; the other kinds' names are DNS subdomains.
            let problem = kind == .namespace ? DNSName.labelProblem(name) : DNSName.subdomainProblem(name)
            if let problem {
                let hint = kind == .namespace
                    ? "namespace names are RFC 1123 labels: lowercase letters, digits and '-', e.g. kube-system"
                    : "\(kind) names are RFC 1123 subdomains: lowercase letters, digits, '-' and '.'"
                fail(node, m.path("name"), "\"\(name)\" is not a valid \(kind) name: \(problem)", hint: hint)
                ok = false
            }
        }
        if let ns = m.value.namespace, let node = m.entries["namespace"]?.key {
            if !kind.isNamespaced {
                fail(node, m.path("namespace"), "\(kind) is cluster-scoped and has no namespace", hint: "remove namespace")
                ok = false
            } else if let problem = DNSName.labelProblem(ns), let value = m["namespace"] {
                fail(value, m.path("namespace"), "\"\(ns)\" is not a valid namespace name: \(problem)",
                     hint: "namespaces are RFC 1123 labels, e.g. default or kube-system")
                ok = false
            }
        }
        if let labels = m.value.labels, model(m, m.node, { () throws(ModelError) in try Labels.validate(labels) }) == nil {
            ok = false
        }
        return ok
    }
}
