import BGPWire

/// One-line human summaries of decoded messages, for `tern decode --format text` and the demo.
enum MessageText {
    static func line(_ item: StreamDecoder.Item) -> String {
        switch item {
        case .message(let m, let length, let offset):
            return "@\(offset) \(m.type) (\(length) bytes)" + body(m)
        case .sessionReset(let e, let type, let offset):
            return "@\(offset) \(type.map { "\($0) " } ?? "")ERROR session-reset: \(e.reason) -> NOTIFICATION \(e.notification)"
        case .issue(let i, _, let offset):
            return "@\(offset) UPDATE ERROR \(i.action.rawValue): \(i.reason)"
        case .truncated(let offset, let bytes):
            return "@\(offset) stream ends inside a message (\(bytes) bytes left)"
        }
    }

    static func body(_ m: BGPMessage) -> String {
        switch m {
        case .open(let o):
            return " AS\(o.asNumber) hold \(o.holdTime)s id \(o.bgpIdentifier)\n    capabilities: "
                + o.capabilities.map(\.description).joined(separator: ", ")
        case .update(let u):
            if let fam = u.endOfRIBFamily { return " End-of-RIB \(fam)" }
            var parts: [String] = []
            let a = u.attributes
            var attrs: [String] = []
            if let o = a.origin { attrs.append("origin \(o)") }
            if let p = a.asPath { attrs.append("as-path [\(p)]") }
            if let n = a.nextHop { attrs.append("next-hop \(n)") }
            if let m = a.multiExitDisc { attrs.append("med \(m)") }
            if let l = a.localPref { attrs.append("local-pref \(l)") }
            if !a.communities.isEmpty { attrs.append("communities \(a.communities.map(\.description).joined(separator: " "))") }
            if !a.largeCommunities.isEmpty { attrs.append("large \(a.largeCommunities.map(\.description).joined(separator: " "))") }
            if !a.extendedCommunities.isEmpty { attrs.append("ext \(a.extendedCommunities.map(\.description).joined(separator: " "))") }
            if let o = a.originatorID { attrs.append("originator \(o)") }
            if let c = a.clusterList { attrs.append("cluster-list \(c.map(\.description).joined(separator: " "))") }
            for r in a.unknown { attrs.append(unknownAttribute(r)) }
            let withdrawn = u.withdrawn + (u.mpUnreach?.withdrawn ?? [])
            if !withdrawn.isEmpty { parts.append("withdraw " + withdrawn.map(\.description).joined(separator: ", ")) }
            let announced = u.nlri + (u.mpReach?.nlri ?? [])
            if !announced.isEmpty { parts.append("announce " + announced.map(\.description).joined(separator: ", ")) }
            if let r = u.mpReach { attrs.append("mp-next-hop \(r.nextHops.map(\.description).joined(separator: " "))") }
            if !attrs.isEmpty { parts.append(attrs.joined(separator: ", ")) }
            return parts.isEmpty ? "" : "\n    " + parts.joined(separator: "\n    ")
        case .notification(let n):
            return " \(n)" + (n.shutdownCommunication.map { " \"\($0)\"" } ?? "")
        case .keepalive:
            return ""
        case .routeRefresh(let r):
            return " \(r.family) \(r.subtype)"
        }
    }

    /// An attribute carried opaque; the Tunnel Encapsulation attribute (RFC 9012) decoded when it
    /// can be, otherwise its raw summary and why it could not be read.
    static func unknownAttribute(_ r: RawAttribute) -> String {
        guard r.code == AttributeCode.tunnelEncapsulation else { return "\(r)" }
        do throws(TunnelEncapsulationError) {
            return "\(AttributeCode.name(r.code)) \(try TunnelEncapsulation(value: r.value))"
        } catch {
            return "\(r) (malformed: \(error); RFC 9012 §13: \(error.handling.rawValue))"
        }
    }
}
