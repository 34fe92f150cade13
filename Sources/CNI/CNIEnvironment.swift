import IPCore

/// The protocol parameters a runtime passes in environment variables (SPEC.md §Parameters), validated once.
///
/// Which variables are required depends on the command (SPEC.md §Parameters, §CNI operations):
/// - ADD, CHECK: `CNI_CONTAINERID`, `CNI_NETNS`, `CNI_IFNAME`.
/// - DEL: `CNI_CONTAINERID`, `CNI_IFNAME`; `CNI_NETNS` may be missing or empty (containerd sends `CNI_NETNS=`
///   on DEL after the container exited).
/// - VERSION, STATUS, GC: none of them (podman sends `CNI_IFNAME=dummy CNI_NETNS=dummy` with VERSION); the
///   values are kept as given.
///
/// A missing or invalid variable is error code 4 (``CNIError/invalidEnvironment``) naming the variable.
public struct CNIEnvironment: Sendable, Equatable {
    /// `CNI_COMMAND`.
    public var command: CNICommand
    /// `CNI_CONTAINERID` ("" when not given and not required).
    public var containerID: String
    /// `CNI_NETNS`: the network namespace's path ("" when not given; may be empty on DEL).
    public var netns: String
    /// `CNI_IFNAME`: the interface to create inside the container ("" when not given and not required).
    public var ifName: String
    /// `CNI_ARGS` as key → value (the last of repeated keys wins).
    public var args: [String: String]
    /// `CNI_PATH` split at `:`, empty entries dropped.
    public var path: [String]

    public init(command: CNICommand, containerID: String = "", netns: String = "", ifName: String = "",
                args: [String: String] = [:], path: [String] = []) {
        self.command = command
        self.containerID = containerID
        self.netns = netns
        self.ifName = ifName
        self.args = args
        self.path = path
    }

    /// Parses and validates the environment `env` (e.g. `ProcessInfo.processInfo.environment`).
    public static func parse(_ env: [String: String]) throws(CNIError) -> CNIEnvironment {
        guard let raw = env["CNI_COMMAND"], !raw.isEmpty else {
            throw CNIError(CNIError.invalidEnvironment, "CNI_COMMAND is not set")
        }
        guard let command = CNICommand(rawValue: raw) else {
            throw CNIError(CNIError.invalidEnvironment, "CNI_COMMAND \"\(raw)\" is not one of "
                + CNICommand.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var e = CNIEnvironment(command: command, containerID: env["CNI_CONTAINERID"] ?? "",
                               netns: env["CNI_NETNS"] ?? "", ifName: env["CNI_IFNAME"] ?? "")
        e.path = (env["CNI_PATH"] ?? "").split(separator: ":").map(String.init)
        e.args = try parseArgs(env["CNI_ARGS"] ?? "")

        switch command {
        case .add, .check:
            try require("CNI_CONTAINERID", e.containerID)
            try require("CNI_NETNS", e.netns)
            try require("CNI_IFNAME", e.ifName)
            try validateContainerID(e.containerID)
            do {
                _ = try InterfaceName(validating: e.ifName)
            } catch {
                throw CNIError(CNIError.invalidEnvironment, "CNI_IFNAME \"\(e.ifName)\" is not a usable interface name",
                               details: error.description)
            }
        case .del:
            // No interface-name check on DEL: it must succeed where there is nothing to delete (SPEC.md §DEL).
            try require("CNI_CONTAINERID", e.containerID)
            try require("CNI_IFNAME", e.ifName)
            try validateContainerID(e.containerID)
        case .version, .status, .gc:
            break
        }
        return e
    }

    /// Parses `CNI_ARGS`: `K=V` pairs separated by `;` (SPEC.md §Parameters; CONVENTIONS.md §CNI_ARGS). Empty
    /// text and empty pairs (`a=1;;b=2`, a trailing `;`) are allowed; a pair without `=` or with an empty key
    /// is error code 4. The value is everything after the first `=` (it may itself contain `=`).
    public static func parseArgs(_ text: String) throws(CNIError) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw CNIError(CNIError.invalidEnvironment, "CNI_ARGS has an invalid pair \"\(pair)\" (expected K=V)")
            }
            out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
        }
        return out
    }

    private static func require(_ name: String, _ value: String) throws(CNIError) {
        if value.isEmpty {
            throw CNIError(CNIError.invalidEnvironment, "\(name) is required for this command and is not set")
        }
    }

    /// SPEC.md §Parameters: `CNI_CONTAINERID` must be non-empty and match `[A-Za-z0-9][A-Za-z0-9_.\-]*`.
    private static func validateContainerID(_ id: String) throws(CNIError) {
        if !NetworkConfig.isValidName(id) {
            throw CNIError(CNIError.invalidEnvironment,
                           "CNI_CONTAINERID \"\(id)\" is invalid: it must start with a letter or digit, then letters, digits, '_', '.' or '-'")
        }
    }

    // MARK: conveniences over CNI_ARGS (CONVENTIONS.md; the Kubernetes runtimes' K8S_POD_* keys)

    /// `K8S_POD_NAMESPACE`, or `default` when not given (podman and containerd's `ctr` send none).
    public var podNamespace: String {
        if let ns = args["K8S_POD_NAMESPACE"], !ns.isEmpty { ns } else { "default" }
    }

    /// `K8S_POD_NAME` (podman: the container's name), or the container ID when not given.
    public var podName: String {
        if let n = args["K8S_POD_NAME"], !n.isEmpty { n } else { containerID }
    }

    /// The static addresses asked for with `IP=` (CONVENTIONS.md; podman `--ip`), which may be a
    /// comma-separated list; empty entries dropped, blanks trimmed.
    public var staticIPs: [String] {
        guard let ip = args["IP"] else { return [] }
        return ip.split(separator: ",").map { $0.trimmingBlanks() }.filter { !$0.isEmpty }
    }

    /// The static MAC address asked for with `MAC=` (podman `--mac-address`), if any.
    public var staticMAC: String? {
        if let mac = args["MAC"], !mac.isEmpty { mac } else { nil }
    }
}

extension Substring {
    func trimmingBlanks() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
