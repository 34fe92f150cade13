import CNI
import TernAPI

/// The plugin's side of the node's control socket: one request, one response, and every
/// failure as the CNI error a runtime prints (docs/CNI.md, "Errors").
struct DaemonLink {
    /// `controlSocket` of the plugin config, else the daemon's default.
    let path: String

    static let defaultSocket = "/run/tern/tern.sock"

    /// Sends `request`; a daemon that cannot be reached is code 100 (with the socket in the
    /// message), a refusal code 11 (try again: the datastore is down), 102 (conflict) or 104.
    func send(_ request: ControlProtocol.Request) throws(CNIError) -> ControlProtocol.Response {
        let response: ControlProtocol.Response
        do {
            response = try ControlClient(path: path).send(request)
        } catch {
            throw CNIError(CNIError.daemonUnreachable, "tern: cannot reach the node's tern daemon at \(path)", details: "\(error)")
        }
        guard response.ok else {
            let e = response.error
            let code: UInt = switch e?.code {
            case .unavailable?: CNIError.tryAgainLater
            case .conflict?: CNIError.addressInUse
            default: CNIError.daemonRefused
            }
            throw CNIError(code, "tern: \(request.command) refused: \(e?.message ?? "no reason given")", details: e?.code.rawValue)
        }
        return response
    }

    /// The daemon's status (MTU, pools, datastore).
    func status() throws(CNIError) -> ControlProtocol.Status {
        guard let s = try send(.init(.status)).status else {
            throw CNIError(CNIError.daemonRefused, "tern: the daemon's status answer has no status")
        }
        return s
    }
}
