import Foundation

/// The kernel's TCP MD5 counters (`/proc/net/netstat`, TcpExt; what `nstat` shows): the
/// kernel drops unsigned or mis-signed segments without a word, so these are the only
/// trace of a key mismatch (RFC 2385 §3: such segments are silently discarded).
public enum TCPMD5Counters {
    /// TCPMD5NotFound (a segment without a signature where one is expected),
    /// TCPMD5Unexpected (a signature where none is expected), TCPMD5Failure (a wrong one).
    public static let names = ["TCPMD5NotFound", "TCPMD5Unexpected", "TCPMD5Failure"]

    /// The counters of this network namespace; empty when unreadable.
    public static func read(path: String = "/proc/net/netstat") -> [String: Int] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        return parse(text)
    }

    /// The MD5 counters of a `/proc/net/netstat` text (pairs of "TcpExt:" lines: names, values).
    public static func parse(_ text: String) -> [String: Int] {
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("TcpExt:") }
        guard lines.count >= 2 else { return [:] }
        let keys = lines[0].split(separator: " ").dropFirst(), values = lines[1].split(separator: " ").dropFirst()
        var out: [String: Int] = [:]
        for (k, v) in zip(keys, values) where names.contains(String(k)) { out[String(k)] = Int(v) }
        return out
    }

    /// What `tern status` says for a peer with a key whose session is not up.
    public static func diagnosis(counters: [String: Int] = read()) -> String {
        var text = "TCP-MD5 is configured for this peer: no answer to connect usually means the keys differ; check that both sides use the same key"
        if !counters.isEmpty {
            text += " (kernel: " + names.compactMap { n in counters[n].map { "\(n) \($0)" } }.joined(separator: ", ") + ")"
        }
        return text
    }
}
