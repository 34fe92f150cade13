/// One entry of an entity rule's `ports` / `notPorts` (Calico "Ports" reference): a port
/// number, a range `"first:last"`, or a named port of the workload.
public enum CalicoPort: Sendable, Hashable, CustomStringConvertible {
    /// Ports `first...last`; a single port is `range(p, p)`.
    case range(UInt16, UInt16)
    /// A named port (a container port's name), resolved against the endpoint.
    case named(String)

    /// A single port.
    public static func port(_ p: UInt16) -> CalicoPort { .range(p, p) }

    /// The port as Calico writes it: `80`, `1000:2000` or the name.
    public var description: String {
        switch self {
        case .range(let a, let b): return a == b ? String(a) : "\(a):\(b)"
        case .named(let n): return n
        }
    }

    /// A range needs 1 <= first <= last; a name is an IANA service name.
    public func validate() throws(ModelError) {
        switch self {
        case .range(let a, let b):
            if a == 0 {
                throw ModelError(field: "", "port 0 is not allowed", hint: "ports are 1-65535")
            }
            if a > b {
                throw ModelError(field: "", "port range \(a):\(b) ends below its start", hint: "write the range as first:last, e.g. \(b):\(a)")
            }
        case .named(let n):
            if let p = NetworkPolicyPort.serviceNameProblem(n) {
                throw ModelError(field: "", "\"\(n)\" is not a valid port name: \(p)",
                                 hint: "give a port number, a range such as 1000:2000, or a container port's name")
            }
        }
    }
}
