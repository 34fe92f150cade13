/// The readiness rule (calico-node's `-bird-ready`, plus the dataplane): pure, so it is
/// tested with plain values.
///
/// 1. During the first `gracePeriod` seconds after start, every configured peer must be
///    Established and no peer's graceful restart (RFC 4724) in progress (a node that just
///    started is not ready until its mesh is up).
/// 2. After it, at least one peer must be Established (a node whose peers all went away
///    cannot route; one missing peer is that peer's problem).
/// 3. No peers configured: nothing to wait for.
/// 4. With a dataplane, it must be running and in sync (its last pass left no work behind).
public struct Readiness: Sendable, Hashable {
    public let ready: Bool
    /// Why not ready (empty when ready).
    public let reasons: [String]
    public let established: Int
    public let configured: Int
    public let inGracePeriod: Bool

    /// The dataplane as readiness sees it.
    public enum Dataplane: Sendable, Hashable {
        case disabled
        case failed(String)
        case running(inSync: Bool)
    }

    public static func evaluate(peers: [PeerSample], uptime: Double, gracePeriod: Double, dataplane: Dataplane,
                                gracefulRestarts: Int = 0) -> Readiness {
        var reasons: [String] = []
        let up = peers.filter(\.isEstablished)
        let inGrace = uptime < gracePeriod
        if !peers.isEmpty {
            if inGrace {
                let down = peers.filter { !$0.isEstablished }
                if !down.isEmpty {
                    reasons.append("within the first \(Int(gracePeriod)) s every peer must be Established; not yet: "
                        + down.map { "\($0.peer) (\($0.state))" }.joined(separator: ", "))
                }
                if gracefulRestarts > 0 {
                    reasons.append("graceful restart in progress for \(gracefulRestarts) peer(s) (within the first \(Int(gracePeriod)) s)")
                }
            } else if up.isEmpty {
                reasons.append("no BGP peer is Established (of \(peers.count) configured: "
                    + peers.map { "\($0.peer) \($0.state)" }.joined(separator: ", ") + ")")
            }
        }
        switch dataplane {
        case .disabled: break
        case .failed(let why): reasons.append("the dataplane is not running: \(why)")
        case .running(let inSync): if !inSync { reasons.append("the dataplane is not in sync yet") }
        }
        return Readiness(ready: reasons.isEmpty, reasons: reasons, established: up.count, configured: peers.count,
                         inGracePeriod: inGrace)
    }

    /// The JSON body of `GET /readiness`.
    public var json: String {
        "{\"ready\":\(ready),\"reasons\":[\(reasons.map(JSON.string).joined(separator: ","))],"
            + "\"peersEstablished\":\(established),\"peersConfigured\":\(configured),\"inGracePeriod\":\(inGracePeriod)}\n"
    }
}

/// The few JSON values the health bodies need.
public enum JSON {
    /// `s` as a JSON string literal (RFC 8259 §7).
    public static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
