/// What the runtime passes in the request's `runtimeConfig` for the capabilities the plugin declared
/// (SPEC.md §Deriving runtimeConfig; CONVENTIONS.md §Dynamic Plugin specific fields): `ips`, `mac`,
/// `portMappings`.
public struct RuntimeConfig: Equatable, Sendable {
    /// Static addresses asked for (capability `ips`: `["10.1.2.3/24", "2001:db8::5"]`); when
    /// `runtimeConfig.ips` is absent, `args.cni.ips` (CONVENTIONS.md §Args in network config).
    public var ips: [String]
    /// A static MAC address (capability `mac`); when absent, `args.cni.mac`.
    public var mac: String?
    /// Port mappings (capability `portMappings`: `{hostPort, containerPort, protocol, hostIP}`), verbatim.
    public var portMappings: [JSONValue]
    /// The whole `runtimeConfig` object, unknown keys included (podman sends `aliases`).
    public var raw: [String: JSONValue]

    public init(ips: [String] = [], mac: String? = nil, portMappings: [JSONValue] = [], raw: [String: JSONValue] = [:]) {
        self.ips = ips
        self.mac = mac
        self.portMappings = portMappings
        self.raw = raw
    }

    /// Decodes `runtimeConfig` (nil: not given) with `args.cni` as the fallback for `ips` and `mac`.
    static func decode(_ rc: [String: JSONValue]?, argsCNI: [String: JSONValue]?) throws(CNIError) -> RuntimeConfig {
        let o = rc ?? [:]
        var r = RuntimeConfig(raw: o)
        if o["ips"] != nil, o["ips"] != .null {
            r.ips = try Field.strings(o["ips"], "runtimeConfig.ips")
        } else if let a = argsCNI {
            r.ips = try Field.strings(a["ips"], "args.cni.ips")
        }
        r.mac = try Field.string(o["mac"], "runtimeConfig.mac")
        if r.mac == nil, let a = argsCNI { r.mac = try Field.string(a["mac"], "args.cni.mac") }
        if r.mac?.isEmpty == true { r.mac = nil }
        r.portMappings = try Field.array(o["portMappings"], "runtimeConfig.portMappings")
        return r
    }
}
