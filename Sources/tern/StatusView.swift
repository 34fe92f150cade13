import TernAPI

/// Human forms of the control socket's answers (`tern status`, `tern routes`).
enum StatusView {
    /// `tern status` without --json.
    static func status(_ s: ControlProtocol.Status) -> String {
        var out = "Tern process is running.\n"
        out += "Node \(s.nodeName), router ID \(s.routerID), AS \(s.asNumber), role \(s.role)\n"
        if let e = s.listenError { out += "WARNING: not listening for BGP (retrying every 5 s): \(e)\n" }
        if let d = s.datastore {
            out += "Datastore \(d.type): \(d.state), revision \(d.revision)"
            out += d.blocks.isEmpty ? "" : ", blocks \(d.blocks.joined(separator: ", "))"
            out += d.error.map { d.state == "down" ? " (\($0); routing unchanged, retrying)" : " (\($0))" } ?? ""
            out += "\n"
        }
        out += "\n"
        if let o = s.overlay { out += overlay(o) + "\n" }
        if s.peers.isEmpty { return out + "No BGP peers configured.\n" }
        var t = TextTable(["PEER ADDRESS", "PEER TYPE", "STATE", "SINCE", "INFO", "RECEIVED", "ACCEPTED", "SENT", "BFD"])
        for p in s.peers {
            let addr = p.port == 179 ? p.address : "\(p.address):\(p.port)"
            t.add([addr, p.type, p.state == .established ? "up" : "start", p.since, p.info,
                   String(p.prefixesReceived), String(p.prefixesAccepted), String(p.prefixesSent), bfdCell(p.bfd)])
        }
        out += "IPv4 BGP status\n" + t.rendered
        let rejected = s.peers.compactMap { p in
            p.prefixesRejected.map { r in
                "  \(p.address): " + r.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            }
        }
        if !rejected.isEmpty { out += "Ignored by the import filter (docs/OPERATIONS.md):\n" + rejected.joined(separator: "\n") + "\n" }
        let limits = s.peers.compactMap { p in
            p.maxPrefixes.map { m in
                let counts = m.received.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                var line = "  \(p.address): limit \(m.limit) per family (\(m.action), warn at \(m.warningPercent)%): \(counts)"
                if m.tripped { line += m.restartAt.map { "; TRIPPED, restarting at \($0)" } ?? "; TRIPPED, disabled until a reload (SIGHUP)" }
                return line
            }
        }
        if !limits.isEmpty { out += "Prefix limits (maxPrefixes, accepted paths):\n" + limits.joined(separator: "\n") + "\n" }
        let llgr = s.peers.compactMap { p in p.llgr.map { "  \(p.address): " + llgrCell($0) } }
        if !llgr.isEmpty { out += (out.hasSuffix("\n") ? "" : "\n") + "Long-lived graceful restart (RFC 9494):\n" + llgr.joined(separator: "\n") + "\n" }
        return out + "\n"
    }

    /// "negotiated, stale time 60 s; routes held as LLGR_STALE" / "not negotiated (ours 3600 s)".
    static func llgrCell(_ l: ControlProtocol.PeerLLGR) -> String {
        var cell = l.negotiated ? "negotiated, stale time \(l.staleTime.map(String.init) ?? "?") s"
            : "not negotiated" + (l.configuredStaleTime.map { " (ours \($0) s)" } ?? "")
        if l.stale { cell += "; routes held as LLGR_STALE" }
        return cell
    }

    /// The BFD column: "-" when off, else the state and the detection time ("Up 300ms").
    static func bfdCell(_ b: ControlProtocol.PeerBFD?) -> String {
        guard let b else { return "-" }
        return b.detectionTime.map { "\(b.state.rawValue) \(ms($0))ms" } ?? b.state.rawValue
    }

    /// "300", "12.5": milliseconds without a needless fraction.
    static func ms(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(v)
    }

    /// `tern bfd` without --json: BIRD's `show bfd sessions` columns, then the discriminators,
    /// multipliers, detection time and diagnostics.
    static func bfd(_ sessions: [ControlProtocol.BFDSession]) -> String {
        if sessions.isEmpty { return "No BFD sessions.\n" }
        var t = TextTable(["IP ADDRESS", "INTERFACE", "STATE", "SINCE", "INTERVAL", "TIMEOUT", "LOCAL DISCR", "REMOTE DISCR",
                           "TX", "RX", "MULT", "DIAG"])
        for b in sessions {
            let rx = b.receiveInterval.map(ms) ?? "-"
            let mult = "\(b.localMultiplier)/\(b.remoteMultiplier.map(String.init) ?? "-")"
            let diag = b.remoteDiagnostic.map { "\(b.localDiagnostic) (remote: \($0))" } ?? b.localDiagnostic
            t.add([b.peer, b.interface ?? "-", b.state.rawValue, b.since, ms(b.transmitInterval) + "ms",
                   b.detectionTime.map { ms($0) + "ms" } ?? "-", String(b.localDiscriminator), String(b.remoteDiscriminator),
                   ms(b.transmitInterval), rx, mult, diag])
        }
        var out = "BFD sessions (intervals in ms; MULT local/remote)\n" + t.rendered
        // Multihop, authentication and drops, for the sessions that have any.
        let extra = sessions.filter { $0.multihop == true || $0.authentication != nil || $0.dropped > 0 }
        if !extra.isEmpty {
            var e = TextTable(["IP ADDRESS", "HOPS", "AUTH", "RECEIVED", "DROPPED", "AUTH DROPPED", "LAST DROP"])
            for b in extra {
                e.add([b.peer, b.multihop == true ? "multihop" : "single", b.authentication ?? "none", String(b.received),
                       String(b.dropped), String(b.authenticationDropped ?? 0), b.lastDrop ?? "-"])
            }
            out += "\n" + e.rendered
        }
        return out
    }

    /// The IP pools with their encapsulation, the tunnel devices and the MTUs.
    static func overlay(_ o: ControlProtocol.Overlay) -> String {
        var t = TextTable(["IP POOL", "ENCAPSULATION", "STATE"])
        for p in o.pools { t.add([p.cidr, p.encapsulation, p.problem.map { "ERROR: \($0)" } ?? "ok"]) }
        var out = "IP pools\n" + t.rendered
        if !o.devices.isEmpty {
            var d = TextTable(["DEVICE", "KIND", "MTU", "STATE", "ADDRESS"])
            for dev in o.devices {
                let mtu = dev.mtu.map { $0 == dev.wantedMTU ? "\($0)" : "\($0) (want \(dev.wantedMTU))" } ?? "- (want \(dev.wantedMTU))"
                d.add([dev.name, dev.kind, mtu, dev.state, dev.address ?? "-"])
            }
            out += "\nTunnel devices\n" + d.rendered
        }
        if let u = o.underlay { out += "\nUnderlay: \(u)\n" }
        if let m = o.workloadMTU { out += "Workload MTU: \(m) (set this MTU on pod interfaces)\n" }
        return out
    }

    /// `tern routes` without --json: the Loc-RIB, best path first and marked with `*`.
    static func routes(_ routes: [ControlProtocol.Route]) -> String {
        if routes.isEmpty { return "No routes.\n" }
        var out = ""
        for r in routes {
            out += r.prefix + "\n"
            for p in r.paths {
                var line = "  \(p.best ? "*" : " ") via \(p.nextHop) from \(p.source)"
                if let id = p.pathID { line += " path \(id)" }
                line += "  [\(p.asPath.isEmpty ? "i" : p.asPath)] \(p.origin)"
                if let lp = p.localPref { line += " local-pref \(lp)" }
                if let med = p.med { line += " med \(med)" }
                if !p.communities.isEmpty { line += " communities \(p.communities.joined(separator: " "))" }
                if !p.largeCommunities.isEmpty { line += " large \(p.largeCommunities.joined(separator: " "))" }
                if !p.extendedCommunities.isEmpty { line += " ext \(p.extendedCommunities.joined(separator: " "))" }
                if let o = p.originatorID { line += " originator \(o)" }
                if !p.clusterList.isEmpty { line += " cluster-list \(p.clusterList.joined(separator: " "))" }
                if let why = p.reason { line += "  (best: \(why))" }
                out += line + "\n"
            }
        }
        return out
    }
}
