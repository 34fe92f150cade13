import IPCore

/// A local workload (a pod or container): its host-side interface, its addresses, and the
/// identity policy selects it by (namespace, name, labels). The dataplane routes
/// `<ip>/32 dev <interface> scope link` to it (Calico's WorkloadEndpoint).
///
/// Validated once, here, for every path that creates one: the YAML `workloads` list,
/// `tern workload add`, the workload state file, the CNI plugin.
public struct Workload: Hashable, Sendable {
    /// Unique among the workloads of a namespace: 1-253 bytes, no whitespace, no `/`.
    public let name: String
    /// The Kubernetes namespace (an RFC 1123 label); `default` when not given.
    public let namespace: String
    /// The host-side interface, e.g. `cali1a2b3c4d5e6`.
    public let interface: InterfaceName
    /// Host prefixes only (IPv4 /32, IPv6 /128), at least one, no repeats.
    public let ipNetworks: [IPPrefix]
    /// The workload's MAC, for a permanent neighbour entry: unicast, not all zero.
    public let mac: MACAddress?
    /// Kubernetes-syntax labels (see ``Labels``), for NetworkPolicy selectors.
    public let labels: [String: String]

    /// The namespace of a workload that does not name one.
    public static let defaultNamespace = "default"

    /// A validated workload from typed parts.
    public init(name: String, namespace: String = Workload.defaultNamespace, interface: InterfaceName,
                ipNetworks: [IPPrefix], mac: MACAddress? = nil, labels: [String: String] = [:]) throws(ModelError) {
        try Workload.check(name: name)
        if let p = DNSName.labelProblem(namespace) {
            throw ModelError(field: "namespace", "namespace \"\(namespace)\" is not a valid namespace name: \(p)",
                             hint: "namespaces are RFC 1123 labels, e.g. default or kube-system")
        }
        guard !ipNetworks.isEmpty else {
            throw ModelError(field: "ipNetworks", "a workload needs at least one address", hint: "write [<pod IP>/32]")
        }
        for (i, p) in ipNetworks.enumerated() {
            try Workload.checkHost(p, text: p.description, field: "ipNetworks[\(i)]")
            if let first = ipNetworks[..<i].firstIndex(of: p) {
                throw ModelError(field: "ipNetworks[\(i)]", "\(p) is listed twice (also ipNetworks[\(first)])", hint: "remove one")
            }
        }
        if let mac { try Workload.check(mac: mac, text: mac.description) }
        try Labels.validate(labels)
        self.name = name
        self.namespace = namespace
        self.interface = interface
        self.ipNetworks = ipNetworks
        self.mac = mac
        self.labels = labels
    }

    /// A validated workload from text, as the CLI, the state file and the CNI plugin have it.
    /// An address without a length is its host prefix (`10.244.1.5` is `10.244.1.5/32`).
    public init(name: String, namespace: String = Workload.defaultNamespace, interface: String,
                addresses: [String], mac: String? = nil, labels: [String: String] = [:]) throws(ModelError) {
        try Workload.check(name: name)
        let ifName = try Workload.interfaceName(interface)
        var nets: [IPPrefix] = []
        for (i, text) in addresses.enumerated() {
            nets.append(try Workload.hostPrefix(text, field: "ipNetworks[\(i)]"))
        }
        let parsedMAC = try mac.map { text throws(ModelError) in try Workload.mac(text) }
        try self.init(name: name, namespace: namespace, interface: ifName, ipNetworks: nets, mac: parsedMAC, labels: labels)
    }

    // MARK: One rule per field, shared with every loader

    /// The name rule: 1-253 bytes, no whitespace, `/` or control characters.
    public static func check(name: String) throws(ModelError) {
        guard !name.isEmpty else {
            throw ModelError(field: "name", "a workload's name cannot be empty", hint: "give it the pod's name")
        }
        guard name.utf8.count <= 253 else {
            throw ModelError(field: "name", "a workload's name has at most 253 bytes (this one has \(name.utf8.count))")
        }
        if let bad = name.unicodeScalars.first(where: { $0 == "/" || $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw ModelError(field: "name", "workload name \"\(name)\" cannot contain \(bad == "/" ? "'/'" : "whitespace or control characters")",
                             hint: "use the pod's name, e.g. web-7d4b9")
        }
    }

    /// An interface name as the kernel accepts it (`dev_valid_name`).
    public static func interfaceName(_ text: String) throws(ModelError) -> InterfaceName {
        do {
            return try InterfaceName(validating: text)
        } catch {
            throw ModelError(field: "interface", "\"\(text)\" is not a valid Linux interface name: \(error)",
                             hint: "Calico names them cali + 11 hex characters; no '/', ':' or spaces, not '.' or '..'")
        }
    }

    /// A host prefix: IPv4 /32 or IPv6 /128; a bare address is its host prefix.
    public static func hostPrefix(_ text: String, field: String = "ipNetworks") throws(ModelError) -> IPPrefix {
        let full: String
        if text.contains("/") { full = text } else { full = text + (text.contains(":") ? "/128" : "/32") }
        guard let p = IPPrefix(full, strict: false) else {
            throw ModelError(field: field, "\"\(text)\" is not an IP address or host prefix",
                             hint: "write <pod IP>/32 (IPv4) or <pod IP>/128 (IPv6)")
        }
        try checkHost(p, text: text, field: field)
        return p
    }

    static func checkHost(_ p: IPPrefix, text: String, field: String) throws(ModelError) {
        let bits = p.ipFamily.bits
        guard p.length == bits else {
            throw ModelError(field: field, "\(text) is not a host route; workload addresses are /\(bits)",
                             hint: "give each workload IP as <ip>/\(bits); a whole block goes under blocks")
        }
    }

    /// A workload's MAC: six two-digit hex octets, unicast, not all zero.
    public static func mac(_ text: String) throws(ModelError) -> MACAddress {
        guard let m = MACAddress(text) else {
            throw ModelError(field: "mac", "\"\(text)\" is not a MAC address",
                             hint: "write six two-digit hex octets separated by ':', e.g. \"ee:ee:ee:ee:ee:01\"")
        }
        try check(mac: m, text: text)
        return m
    }

    static func check(mac m: MACAddress, text: String) throws(ModelError) {
        if m.isZero {
            throw ModelError(field: "mac", "\(text) is the all-zero MAC address", hint: "use the workload's real MAC")
        }
        if m.isMulticast {
            throw ModelError(field: "mac", "\(text) is a multicast MAC address (lowest bit of the first octet set)",
                             hint: "a workload's MAC is unicast")
        }
    }

    /// Why `other` cannot live beside this workload on one node (same name in the same
    /// namespace, same interface, or a shared address); nil when it can.
    public func conflict(with other: Workload) -> ModelError? {
        if other.name == name && other.namespace == namespace {
            return ModelError(field: "name", "a workload named \(name) already exists in namespace \(namespace)")
        }
        if other.interface == interface {
            return ModelError(field: "interface", "interface \(interface) already belongs to workload \(other.qualifiedName)")
        }
        if let (i, shared) = ipNetworks.enumerated().first(where: { other.ipNetworks.contains($0.element) }) {
            return ModelError(field: "ipNetworks[\(i)]", "\(shared) already belongs to workload \(other.qualifiedName)")
        }
        return nil
    }

    /// `namespace/name`, or just the name in the default namespace.
    public var qualifiedName: String { namespace == Workload.defaultNamespace ? name : "\(namespace)/\(name)" }
}
