import Foundation

/// An error result: printed on **stdout** as JSON with a non-zero exit status (SPEC.md §Error, "Errors";
/// libcni reads the error from stdout and uses stderr only when stdout is empty).
///
/// Codes 0–99 are the spec's well-known codes (SPEC.md §Well-known Error Codes); 100 and above are plugin
/// specific (Tern's below).
public struct CNIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The error code.
    public var code: UInt
    /// A short message.
    public var msg: String
    /// A longer message, if any.
    public var details: String?

    /// An error with `code`, `msg` and optional `details`.
    public init(_ code: UInt, _ msg: String, details: String? = nil) {
        self.code = code
        self.msg = msg
        self.details = details
    }

    // MARK: SPEC.md §Well-known Error Codes

    /// 1: incompatible CNI version.
    public static let incompatibleVersion: UInt = 1
    /// 2: unsupported field in network configuration; the message must name the key and value.
    public static let unsupportedField: UInt = 2
    /// 3: container unknown or does not exist; the runtime needs no cleanup (no DEL).
    public static let unknownContainer: UInt = 3
    /// 4: invalid necessary environment variables (the message names them).
    public static let invalidEnvironment: UInt = 4
    /// 5: I/O failure (e.g. cannot read the network config on stdin).
    public static let ioFailure: UInt = 5
    /// 6: failed to decode content (e.g. the JSON on stdin).
    public static let decodeFailure: UInt = 6
    /// 7: invalid network config; a field is missing, has the wrong type or an invalid value.
    public static let invalidNetworkConfig: UInt = 7
    /// 11: try again later; a transient condition.
    public static let tryAgainLater: UInt = 11
    /// 50: STATUS — the plugin is not available (cannot service ADD requests).
    public static let pluginNotAvailable: UInt = 50
    /// 51: STATUS — the plugin is not available, and existing containers may have limited connectivity.
    public static let pluginNotAvailableLimited: UInt = 51

    // MARK: Tern's plugin-specific codes (≥ 100)

    /// 100: the Tern daemon's control socket cannot be reached.
    public static let daemonUnreachable: UInt = 100
    /// 101: no address is left in the IPAM pools.
    public static let ipamExhausted: UInt = 101
    /// 102: the requested address is already allocated.
    public static let addressInUse: UInt = 102
    /// 103: a kernel (netlink, sysctl, netns) operation failed.
    public static let kernelError: UInt = 103
    /// 104: the daemon refused the request.
    public static let daemonRefused: UInt = 104

    /// The error result's JSON: `{"cniVersion":…,"code":…,"details":…,"msg":…}`, keys sorted; `details` is left
    /// out when nil or empty (Go's `types.Error` has `details,omitempty`).
    public func json(cniVersion: String) -> Data {
        var o: [String: JSONValue] = ["cniVersion": .string(cniVersion), "code": .number(Double(code)), "msg": .string(msg)]
        if let details, !details.isEmpty { o["details"] = .string(details) }
        return JSONValue.object(o).data
    }

    /// `msg; details` (as current libcni renders an error), or just `msg`.
    public var description: String {
        if let details, !details.isEmpty { "\(msg); \(details)" } else { msg }
    }
}
