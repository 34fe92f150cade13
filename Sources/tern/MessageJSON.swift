import BGPWire

/// JSON forms of decoded BGP messages, as printed by `tern decode` (one object per message).
///
/// Field names follow the RFCs' names in camelCase; prefixes are CIDR strings; AS paths are
/// lists of segments so sets and confederation segments stay visible.
enum MessageJSON {
    /// The object for one well-formed message.
    static func message(_ m: BGPMessage, length: Int, offset: Int) -> JSONValue {
        var f: [(String, JSONValue)] = [("type", .string(m.type.description)), ("length", .uint(length)), ("offset", .uint(offset))]
        switch m {
        case .open(let o): f += open(o)
        case .update(let u): f += update(u)
        case .notification(let n): f += notification(n)
        case .keepalive: break
        case .routeRefresh(let r):
            f += [("afi", .uint(r.family.afi.rawValue)), ("safi", .uint(r.family.safi.rawValue)),
                  ("family", .string(r.family.description)), ("subtype", .string(r.subtype.description))]
        }
        return .object(f)
    }

    // MARK: - OPEN

    static func open(_ o: OpenMessage) -> [(String, JSONValue)] {
        [("version", .uint(o.version)), ("myAS", .uint(o.myAS)), ("asNumber", .uint(o.asNumber)),
         ("holdTime", .uint(o.holdTime)), ("bgpIdentifier", .string(o.bgpIdentifier.description)),
         ("extendedParameters", .bool(o.useExtendedParameters)),
         ("capabilities", .array(o.capabilities.map(capability)))]
    }

    static func capability(_ c: Capability) -> JSONValue {
        var f: [(String, JSONValue)] = [("code", .uint(c.code)), ("name", .string(c.name))]
        switch c {
        case .multiprotocol(let fam): f.append(("family", .string(fam.description)))
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh: break
        case .gracefulRestart(let gr):
            f += [("restartState", .bool(gr.restartState)), ("notification", .bool(gr.notification)),
                  ("restartTime", .uint(gr.restartTime)),
                  ("families", .array(gr.families.map {
                      .object([("family", .string($0.family.description)), ("forwardingState", .bool($0.forwardingStatePreserved))])
                  }))]
        case .longLivedGracefulRestart(let llgr):
            f.append(("families", .array(llgr.families.map {
                .object([("family", .string($0.family.description)), ("forwardingState", .bool($0.forwardingStatePreserved)),
                         ("staleTime", .uint($0.staleTime))])
            })))
        case .fourOctetAS(let asn): f.append(("asNumber", .uint(asn)))
        case .addPath(let entries):
            f.append(("families", .array(entries.map {
                .object([("family", .string($0.family.description)), ("direction", .string($0.direction.description))])
            })))
        case .fqdn(let host, let domain): f += [("hostname", .string(host)), ("domain", .string(domain))]
        case .unknown(_, let value): f.append(("value", .string(value.hexString)))
        }
        return .object(f)
    }

    // MARK: - UPDATE

    static func update(_ u: UpdateMessage) -> [(String, JSONValue)] {
        var f: [(String, JSONValue)] = []
        if let fam = u.endOfRIBFamily { f.append(("endOfRIB", .string(fam.description))) }
        if !u.withdrawn.isEmpty { f.append(("withdrawn", nlri(u.withdrawn))) }
        let attrs = attributes(u.attributes)
        if !attrs.isEmpty { f.append(("attributes", .object(attrs))) }
        if let r = u.mpReach {
            var m: [(String, JSONValue)] = [("family", .string(r.family.description)), ("nextHops", .strings(r.nextHops))]
            if !r.nlri.isEmpty { m.append(("nlri", nlri(r.nlri))) }
            if !r.unsupportedNextHop.isEmpty { m.append(("rawNextHop", .string(r.unsupportedNextHop.hexString))) }
            if !r.unsupportedNLRI.isEmpty { m.append(("rawNLRI", .string(r.unsupportedNLRI.hexString))) }
            f.append(("mpReach", .object(m)))
        }
        if let r = u.mpUnreach {
            var m: [(String, JSONValue)] = [("family", .string(r.family.description)), ("withdrawn", nlri(r.withdrawn))]
            if !r.unsupportedNLRI.isEmpty { m.append(("rawNLRI", .string(r.unsupportedNLRI.hexString))) }
            f.append(("mpUnreach", .object(m)))
        }
        if !u.nlri.isEmpty { f.append(("nlri", nlri(u.nlri))) }
        return f
    }

    /// Prefixes as CIDR strings; with add-path, objects `{"prefix", "pathID"}`.
    static func nlri(_ list: [NLRI]) -> JSONValue {
        .array(list.map { n in
            if let id = n.pathID { return .object([("prefix", .string(n.prefix.description)), ("pathID", .uint(id))]) }
            return .string(n.prefix.description)
        })
    }

    static func asPath(_ p: ASPath) -> JSONValue {
        .array(p.segments.map { s in
            let kind: String = switch s.kind {
            case .sequence: "AS_SEQUENCE"
            case .set: "AS_SET"
            case .confedSequence: "AS_CONFED_SEQUENCE"
            case .confedSet: "AS_CONFED_SET"
            }
            return .object([("type", .string(kind)), ("asns", .array(s.asns.map { .uint($0) }))])
        })
    }

    static func aggregator(_ a: Aggregator) -> JSONValue {
        .object([("asNumber", .uint(a.asn)), ("address", .string(a.address.description))])
    }

    static func attributes(_ a: PathAttributes) -> [(String, JSONValue)] {
        var f: [(String, JSONValue)] = []
        if let o = a.origin { f.append(("ORIGIN", .string(o.description))) }
        if let p = a.asPath { f.append(("AS_PATH", asPath(p))) }
        if let n = a.nextHop { f.append(("NEXT_HOP", .string(n.description))) }
        if let m = a.multiExitDisc { f.append(("MULTI_EXIT_DISC", .uint(m))) }
        if let l = a.localPref { f.append(("LOCAL_PREF", .uint(l))) }
        if a.atomicAggregate { f.append(("ATOMIC_AGGREGATE", .bool(true))) }
        if let g = a.aggregator { f.append(("AGGREGATOR", aggregator(g))) }
        if !a.communities.isEmpty { f.append(("COMMUNITIES", .strings(a.communities))) }
        if let o = a.originatorID { f.append(("ORIGINATOR_ID", .string(o.description))) }
        if let c = a.clusterList { f.append(("CLUSTER_LIST", .strings(c))) }
        if !a.extendedCommunities.isEmpty { f.append(("EXTENDED_COMMUNITIES", .strings(a.extendedCommunities))) }
        if let p = a.as4Path { f.append(("AS4_PATH", asPath(p))) }
        if let g = a.as4Aggregator { f.append(("AS4_AGGREGATOR", aggregator(g))) }
        if !a.largeCommunities.isEmpty { f.append(("LARGE_COMMUNITY", .strings(a.largeCommunities))) }
        for u in a.unknown {
            var o: [(String, JSONValue)] = [
                ("code", .uint(u.code)), ("flags", .string("0x" + [u.flags].hexString)), ("value", .string(u.value.hexString)),
            ]
            if u.code == AttributeCode.tunnelEncapsulation {
                // RFC 9012: decoded when it can be; otherwise the raw form above and why.
                do throws(TunnelEncapsulationError) {
                    o.append(("tunnels", tunnels(try TunnelEncapsulation(value: u.value))))
                } catch {
                    o += [("malformed", .string(error.description)), ("rfc9012Handling", .string(error.handling.rawValue))]
                }
            }
            f.append((AttributeCode.name(u.code), .object(o)))
        }
        return f
    }

    /// The Tunnel TLVs of a Tunnel Encapsulation attribute (RFC 9012 §2), each with its sub-TLVs.
    static func tunnels(_ te: TunnelEncapsulation) -> JSONValue {
        .array(te.tunnels.map { t in
            var o: [(String, JSONValue)] = [("type", .uint(t.type.rawValue))]
            if let name = t.type.name { o.append(("name", .string(name))) }
            o.append(("subTLVs", .array(t.subTLVs.map(subTLV))))
            return .object(o)
        })
    }

    static func subTLV(_ s: TunnelSubTLV) -> JSONValue {
        var o: [(String, JSONValue)] = [("type", .uint(s.type))]
        if let name = TunnelSubTLVCode.name(s.type) { o.append(("name", .string(name))) }
        switch s {
        case .vxlanEncapsulation(let e):
            o.append(("flags", .string("0x" + [e.flags].hexString)))
            if let v = e.vni { o.append(("vni", .uint(v))) }
            if let m = e.mac { o.append(("mac", .string(TunnelEncapsulation.macString(m)))) }
        case .egressEndpoint(let e):
            o.append(("afi", .uint(e.afi)))
            switch e.address {
            case .nextHop: o.append(("nextHop", .bool(true)))
            case .ip(let a): o.append(("address", .string(a.description)))
            case .otherFamily(_, let bytes): o.append(("address", .string(bytes.hexString)))
            }
        case .color(let c):
            o.append(("color", .uint(c.color)))
        case .opaque(_, let v):
            o.append(("value", .string(v.hexString)))
        }
        return .object(o)
    }

    // MARK: - NOTIFICATION

    static func notification(_ n: NotificationMessage) -> [(String, JSONValue)] {
        var f: [(String, JSONValue)] = [("code", .uint(n.code)), ("subcode", .uint(n.subcode)), ("name", .string(n.name))]
        if !n.data.isEmpty { f.append(("data", .string(n.data.hexString))) }
        if let text = n.shutdownCommunication { f.append(("shutdownCommunication", .string(text))) }
        return f
    }

    // MARK: - Errors

    /// `{"error": {...}}` for a message that ends the session.
    static func error(_ e: MessageError, type: MessageType?, offset: Int) -> JSONValue {
        var f: [(String, JSONValue)] = [("action", .string(e.action.rawValue))]
        var n: [(String, JSONValue)] = [("code", .uint(e.notification.code)), ("subcode", .uint(e.notification.subcode)),
                                        ("name", .string(e.notification.name))]
        if !e.notification.data.isEmpty { n.append(("data", .string(e.notification.data.hexString))) }
        f.append(("notification", .object(n)))
        f.append(("reason", .string(e.reason)))
        if let t = type { f.append(("type", .string(t.description))) }
        f.append(("offset", .uint(offset)))
        return .object([("error", .object(f))])
    }

    /// `{"error": {...}}` for one RFC 7606 issue the session survives.
    static func issue(_ i: UpdateIssue, update: UpdateMessage, offset: Int) -> JSONValue {
        var f: [(String, JSONValue)] = [("action", .string(i.action.rawValue)), ("reason", .string(i.reason))]
        if let code = i.attributeCode {
            f.append(("attribute", .object([("code", .uint(code)), ("name", .string(AttributeCode.name(code)))])))
        }
        if i.action == .treatAsWithdraw {
            f.append(("withdrawn", .strings(update.allPrefixes.map(\.prefix))))
        }
        f += [("type", .string("UPDATE")), ("offset", .uint(offset))]
        return .object([("error", .object(f))])
    }
}
