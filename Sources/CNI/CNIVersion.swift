import Foundation

/// The CNI spec versions this plugin implements and what each allows (SPEC.md §Version, §VERSION).
///
/// The spec 0.1.0 and 0.2.0 results (`ip4`/`ip6` objects) are not implemented: the rich result starts with 0.3.0.
public enum CNIVersion {
    /// The versions this plugin supports, oldest first.
    public static let supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]

    /// The newest supported version (what libcni's plugins report as the VERSION result's own `cniVersion`).
    public static let latest = "1.1.0"

    /// Throws error code 1 (incompatible CNI version) naming the supported versions unless `v` is supported
    /// (SPEC.md §Result: "If the cniVersion in the network configuration is not supported by the plugin, the
    /// plugin should return an error code 1").
    public static func check(_ v: String) throws(CNIError) {
        guard supported.contains(v) else {
            throw CNIError(CNIError.incompatibleVersion,
                           "incompatible CNI version \"\(v)\": this plugin supports \(supported.joined(separator: ", "))")
        }
    }

    /// The VERSION result (SPEC.md §VERSION): `{"cniVersion":…,"supportedVersions":[…]}`.
    public static func versionResult(cniVersion: String) -> Data {
        JSONValue.object([
            "cniVersion": .string(cniVersion),
            "supportedVersions": .array(supported.map { .string($0) }),
        ]).data
    }

    /// The version a VERSION request asks about: its stdin is `{"cniVersion": "…"}` (SPEC.md §VERSION). Empty
    /// stdin, or a config without `cniVersion`, is `0.1.0` (libcni's default for a config without one).
    public static func requested(stdin: Data) throws(CNIError) -> String {
        if stdin.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return "0.1.0" }
        let v = try JSONValue.parse(stdin)
        guard case .object(let o) = v else {
            throw CNIError(CNIError.decodeFailure, "the JSON on stdin is not an object")
        }
        switch o["cniVersion"] {
        case nil, .null?: return "0.1.0"
        case .string(let s)?: return s
        default: throw CNIError(CNIError.invalidNetworkConfig, "cniVersion must be a string")
        }
    }

    /// The first version that has `command`: CHECK 0.4.0, GC and STATUS 1.1.0, the others 0.1.0
    /// (SPEC.md §Version history; the CHECK verb came with 0.4.0, GC and STATUS with 1.1.0).
    public static func introduced(_ command: CNICommand) -> String {
        switch command {
        case .add, .del, .version: "0.1.0"
        case .check: "0.4.0"
        case .gc, .status: "1.1.0"
        }
    }

    /// Whether a configuration of version `cniVersion` allows `command` (false for an unparsable version).
    public static func allows(_ command: CNICommand, cniVersion: String) -> Bool {
        guard let c = compare(cniVersion, introduced(command)) else { return false }
        return c >= 0
    }

    /// Throws unless a configuration of version `cniVersion` allows `command`.
    ///
    /// The spec says nothing about which code this is; like libcni's `pkg/skel` ("config version does not allow
    /// CHECK") it is code 1, incompatible CNI version — code 2 is about unsupported *fields* of the config.
    public static func checkCommand(_ command: CNICommand, cniVersion: String) throws(CNIError) {
        guard allows(command, cniVersion: cniVersion) else {
            throw CNIError(CNIError.incompatibleVersion,
                           "config version \(cniVersion) does not allow \(command.rawValue)",
                           details: "\(command.rawValue) needs cniVersion \(introduced(command)) or later")
        }
    }

    /// Whether `cniVersion` has the CHECK command (0.4.0 and later).
    public static func hasCheck(_ cniVersion: String) -> Bool { allows(.check, cniVersion: cniVersion) }

    /// Whether `cniVersion` has the GC and STATUS commands (1.1.0 and later).
    public static func hasGCAndStatus(_ cniVersion: String) -> Bool { allows(.gc, cniVersion: cniVersion) }

    /// Whether results of `cniVersion` use the 0.3.x/0.4.0 shape, with `version` in each `ips[]` entry
    /// (removed in 1.0.0). Unparsable versions count as the current shape.
    public static func resultHasIPVersion(_ cniVersion: String) -> Bool {
        guard let c = compare(cniVersion, "1.0.0") else { return false }
        return c < 0
    }

    /// Compares two `MAJOR.MINOR.PATCH` versions (Semantic Versioning 2.0 §11, without pre-release tags):
    /// negative, zero or positive; nil when either is not of that form.
    public static func compare(_ a: String, _ b: String) -> Int? {
        guard let x = parse(a), let y = parse(b) else { return nil }
        for (p, q) in zip(x, y) where p != q { return p < q ? -1 : 1 }
        return 0
    }

    private static func parse(_ v: String) -> [Int]? {
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var out: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(p) else { return nil }
            out.append(n)
        }
        return out
    }
}
