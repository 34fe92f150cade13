import BGPSession
import BGPWire
import EventLoop
import IPCore
import Foundation
import Model

// MARK: - GTSM (RFC 5082) at accept, and the prefix limit (RFC 4486)

extension Peer {
    /// RFC 5082 §3 for an incoming connection: the listener saves each SYN, so the TTL the
    /// peer's SYN arrived with is checked here, per peer (a listener-wide IP_MINTTL would hold
    /// every peer to the strictest one). Too low: the connection is closed before any BGP
    /// byte is read, and `tern status` says why. Accepted: `IP_MINTTL` /
    /// `IPV6_MINHOPCOUNT` is set on the connection, so every later segment is held to it by
    /// the kernel. True when the connection may go on.
    func admitGTSM(_ connection: TCPConnection) -> Bool {
        guard let minimum = config.minimumTTL else { return true }
        if let ttl = connection.takeSavedSYNTTL(), ttl < minimum {
            let why = "GTSM (ttlSecurity \(config.ttlSecurity ?? 0)): connection from \(connection.remoteAddress) arrived with TTL \(ttl), at least \(minimum) required; closed"
            logger.warning("\(why)")
            lastError = .connection(why)
            connection.close()
            return false
        }
        do { try connection.setMinimumTTL(minimum) } catch {
            logger.warning("cannot set the minimum TTL \(minimum) on the incoming connection: \(error); closed")
            connection.close()
            return false
        }
        return true
    }

    /// RFC 2385 §3: mis-signed segments are dropped without a word, so a failed connection
    /// to a keyed peer gets the hint and the kernel's MD5 counters in the log, at most once a
    /// minute.
    func logMD5HintIfKeyed() {
        guard config.password != nil, !isEstablished else { return }
        let now = loop.now
        if let last = md5HintLoggedAt, now &- last < 60_000_000_000 { return }
        md5HintLoggedAt = now
        logger.warning("connection failed: \(TCPMD5Counters.diagnosis())")
    }

    /// RFC 4486 after each UPDATE: `v4`/`v6` accepted paths. Logs warnings; over the limit
    /// (`restart`, `disable`) sends Cease 1 with the §4 data and ends the session, whose
    /// routes the speaker then removes; `restart` arms the restart timer.
    func checkMaxPrefixes(v4: Int, v6: Int) {
        guard var g = maxPrefix, isEstablished else { return }
        let verdicts = g.check([.v4: v4, .v6: v6])
        maxPrefix = g
        for verdict in verdicts {
            switch verdict {
            case .warning(let f, let n):
                logger.warning("\(n) \(f) prefixes accepted: \(g.settings.warningPercent)% of the limit \(g.settings.limit) (maxPrefixes)")
            case .overLimitWarnOnly(let f, let n):
                logger.warning("\(n) \(f) prefixes accepted: over the limit \(g.settings.limit); action warn: the session stays")
            case .exceeded(let f, let n):
                tripMaxPrefixes(family: f, count: n)
                return
            }
        }
    }

    private func tripMaxPrefixes(family: IPFamily, count: Int) {
        guard var g = maxPrefix else { return }
        let now = loop.now
        let delay = g.nextDelay(now: now)
        let restartAt = g.trip(family: family, now: now)
        maxPrefix = g
        let next = restartAt == nil ? "disabled until a reload (SIGHUP)" : "restarting in \(delay) s"
        logger.error("\(count) \(family) prefixes accepted, over the limit \(g.settings.limit): Cease 1 (Maximum Number of Prefixes Reached), routes removed, \(next)")
        let notification = MaxPrefixGuard.notification(family: family, limit: g.settings.limit)
        feed(.manualStop(notification), to: main)
        lastError = .notificationSent(notification)
        if let restartAt {
            if maxPrefixTimer == nil {
                maxPrefixTimer = LoopTimer(on: loop) { [weak self] in self?.resumeAfterMaxPrefixes() }
            }
            maxPrefixTimer?.arm(at: restartAt)
        }
    }

    /// The restart timer fired, or a reload re-enables a `disable`d peer.
    func resumeAfterMaxPrefixes() {
        guard var g = maxPrefix, g.tripped else { return }
        g.resume()
        maxPrefix = g
        maxPrefixTimer?.cancel()
        logger.info("prefix limit: starting the session again")
        feed(.manualStart, to: main)
    }
}

extension BGPSpeaker {
    /// RFC 2385 on the listener: the key of the peers at `address` (the first configured one
    /// with a key), or none; incoming connections inherit it. Called whenever a peer is
    /// added or removed (a reload that changed a key removes the old peer and adds the new).
    func syncMD5Key(for address: IPAddress) {
        guard let listener else { return }
        let key = peers.values.first { $0.config.address == address && $0.config.password != nil }?.config.password ?? []
        do { try listener.setMD5Key(key, for: SocketAddress(address, port: 0)) } catch {
            if !key.isEmpty { logger.error("cannot install the TCP MD5 key for \(address) on the listener: \(error)") }
        }
    }

    /// A reload (SIGHUP, datastore): peers stopped by a `disable` prefix limit start again.
    public func resumeDisabledPeers() {
        for peer in peers.values where peer.maxPrefix?.tripped == true && peer.maxPrefix?.settings.action == .disable {
            peer.resumeAfterMaxPrefixes()
        }
    }

    /// A loop deadline as wall-clock time.
    func wallClock(_ deadline: UInt64) -> Date {
        let now = loop.now
        return Date(timeIntervalSinceNow: deadline >= now ? Double(deadline - now) / 1e9 : -Double(now - deadline) / 1e9)
    }
}
