import Foundation

/// The request configuration a runtime writes on the plugin's stdin (SPEC.md §Section 1: Network configuration
/// format, §Deriving execution configuration from plugin configuration): one plugin object of the conflist with
/// the list's `cniVersion` and `name`, plus `runtimeConfig` and, except on the first ADD, `prevResult`.
///
/// When Tern is invoked as the IPAM plugin, `type` is the main plugin's and `ipam.type` is Tern's; both are
/// decoded the same way.
public struct NetworkConfig: Equatable, Sendable {
    /// GC's still-valid attachment (``CNIAttachment``).
    public typealias Attachment = CNIAttachment
    /// The `ipam` dictionary (``CNI/IPAMConfig``).
    public typealias IPAM = IPAMConfig

    /// `cniVersion` (required): the spec version of the config, and of the result to write.
    public var cniVersion: String
    /// `name` (required): the network's name, `^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$` (SPEC.md §Configuration format).
    public var name: String
    /// `type` (required): the plugin executable's name.
    public var type: String
    /// `mtu` (Calico's plugin option): the veth MTU.
    public var mtu: Int?
    /// The Tern daemon's control socket path: `controlSocket`, or `control_socket` in Calico's key style.
    public var controlSocket: String?
    /// `ipam`, if given.
    public var ipam: IPAMConfig?
    /// `dns`, if given (SPEC.md §Plugin configuration objects, well-known `dns`).
    public var dns: CNIResult.DNS?
    /// `runtimeConfig` (empty when not given).
    public var runtimeConfig: RuntimeConfig
    /// `prevResult`, decoded (nil when absent or `null`; SPEC.md §Chained plugins).
    public var prevResult: CNIResult?
    /// `prevResult` verbatim, to pass through unchanged.
    public var prevResultJSON: JSONValue?
    /// GC's `cni.dev/valid-attachments` (SPEC.md §GC), nil when not given.
    public var validAttachments: [Attachment]?
    /// The whole request object, unknown keys included.
    public var raw: [String: JSONValue]

    public init(cniVersion: String, name: String, type: String, mtu: Int? = nil, controlSocket: String? = nil,
                ipam: IPAMConfig? = nil, dns: CNIResult.DNS? = nil, runtimeConfig: RuntimeConfig = RuntimeConfig(),
                prevResult: CNIResult? = nil, prevResultJSON: JSONValue? = nil, validAttachments: [Attachment]? = nil,
                raw: [String: JSONValue] = [:]) {
        self.cniVersion = cniVersion
        self.name = name
        self.type = type
        self.mtu = mtu
        self.controlSocket = controlSocket
        self.ipam = ipam
        self.dns = dns
        self.runtimeConfig = runtimeConfig
        self.prevResult = prevResult
        self.prevResultJSON = prevResultJSON
        self.validAttachments = validAttachments
        self.raw = raw
    }

    /// Decodes the request configuration on stdin.
    ///
    /// - Not JSON, or JSON but not an object: code 6 (decode failure), with the parser's location of the error.
    /// - `cniVersion`, `name` or `type` missing or not a string, another known field of the wrong type, or an
    ///   invalid `name`: code 7 (invalid network config) naming the field.
    ///
    /// Whether `cniVersion` is supported is not checked here: see ``CNIVersion/check(_:)``.
    public static func decode(_ data: Data) throws(CNIError) -> NetworkConfig {
        let v = try JSONValue.parse(data)
        guard case .object(let o) = v else {
            throw CNIError(CNIError.decodeFailure, "the network configuration on stdin is not a JSON object")
        }
        func required(_ key: String) throws(CNIError) -> String {
            guard let s = try Field.string(o[key], key), !s.isEmpty else {
                throw CNIError(CNIError.invalidNetworkConfig, "\(key) is missing from the network configuration")
            }
            return s
        }
        let cniVersion = try required("cniVersion")
        let name = try required("name")
        guard isValidName(name) else {
            throw CNIError(CNIError.invalidNetworkConfig,
                           "name \"\(name)\" is invalid: it must match ^[a-zA-Z0-9][a-zA-Z0-9_.\\-]*$")
        }
        var c = NetworkConfig(cniVersion: cniVersion, name: name, type: try required("type"), raw: o)
        c.mtu = try Field.int(o["mtu"], "mtu")
        let snakeSocket = try Field.string(o["control_socket"], "control_socket")
        c.controlSocket = try Field.string(o["controlSocket"], "controlSocket") ?? snakeSocket
        if let ipam = try Field.optionalObject(o["ipam"], "ipam") { c.ipam = try IPAMConfig.decode(ipam) }
        if let d = o["dns"], d != .null { c.dns = try CNIResult.DNS.decode(d, at: "dns") }
        let args = try Field.optionalObject(o["args"], "args")
        let argsCNI = try Field.optionalObject(args?["cni"], "args.cni")
        c.runtimeConfig = try RuntimeConfig.decode(try Field.optionalObject(o["runtimeConfig"], "runtimeConfig"),
                                                   argsCNI: argsCNI)
        if let p = o["prevResult"], p != .null {
            c.prevResultJSON = p
            c.prevResult = try CNIResult.decode(p, defaultVersion: cniVersion, at: "prevResult")
        }
        if let va = o["cni.dev/valid-attachments"], va != .null {
            let key = "cni.dev/valid-attachments"
            var list: [Attachment] = []
            for (n, e) in try Field.array(va, key).enumerated() {
                let a = try Field.object(e, "\(key)[\(n)]")
                guard let id = try Field.string(a["containerID"], "\(key)[\(n)].containerID"),
                      let ifname = try Field.string(a["ifname"], "\(key)[\(n)].ifname")
                else {
                    throw CNIError(CNIError.invalidNetworkConfig, "\(key)[\(n)] needs containerID and ifname")
                }
                list.append(Attachment(containerID: id, ifname: ifname))
            }
            c.validAttachments = list
        }
        return c
    }

    /// Whether `s` is a valid network name (SPEC.md §Configuration format `name`) — the same rule as
    /// `CNI_CONTAINERID` (SPEC.md §Parameters): an ASCII letter or digit, then letters, digits, `_`, `.`, `-`.
    public static func isValidName(_ s: String) -> Bool {
        guard let first = s.utf8.first, isAlnum(first) else { return false }
        return s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }
}
