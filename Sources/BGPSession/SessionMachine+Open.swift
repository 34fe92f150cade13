import BGPWire

// MARK: - Our OPEN

extension SessionMachine {
    /// The OPEN we send (RFC 4271 §4.2), capabilities in this order (RFC 5492):
    /// Multiprotocol per family (RFC 4760), Route Refresh (RFC 2918), Enhanced Route
    /// Refresh (RFC 7313), Extended Message (RFC 8654), Graceful Restart (RFC 4724),
    /// 4-octet AS (RFC 6793, always), ADD-PATH (RFC 7911) when any family has it.
    static func makeOpen(_ config: SessionConfig) -> OpenMessage {
        var caps: [Capability] = config.families.map { .multiprotocol($0) }
        if config.routeRefresh { caps.append(.routeRefresh) }
        if config.enhancedRouteRefresh { caps.append(.enhancedRouteRefresh) }
        if config.extendedMessage { caps.append(.extendedMessage) }
        if let gr = config.gracefulRestart {
            caps.append(.gracefulRestart(GracefulRestartCapability(
                restartState: gr.restarting, notification: gr.notification, restartTime: gr.restartTime,
                families: config.families.map { .init($0, forwardingStatePreserved: gr.forwardingStatePreserved) })))
        }
        // RFC 9494 §3: sent with the Graceful Restart capability (a missing GR capability is
        // read by the peer as restart time 0: straight to the long-lived stale phase).
        if let t = config.longLivedStaleTime, t > 0 {
            let time = min(t, LongLivedGracefulRestartCapability.maxStaleTime)
            caps.append(.longLivedGracefulRestart(LongLivedGracefulRestartCapability(families: config.families.map {
                .init($0, forwardingStatePreserved: config.gracefulRestart?.forwardingStatePreserved ?? false, staleTime: time)
            })))
        }
        caps.append(.fourOctetAS(config.localAS))
        let addPath = config.families.compactMap { f in
            config.addPath[f]?.direction.map { AddPathCapability.Entry(f, $0) }
        }
        if !addPath.isEmpty { caps.append(.addPath(addPath)) }
        return OpenMessage(asNumber: config.localAS, holdTime: config.holdTime, bgpIdentifier: config.localID,
                           capabilities: caps)
    }
}

// MARK: - Checks on the peer's OPEN

// What the session checks in a received OPEN (RFC 4271 §6.2), after the codec's own
// checks (version 2/1, optional parameters 2/4 and 2/0, AS 0 and AS_TRANS 2/2,
// identifier 0 2/3, hold time 1 or 2 2/6: see OpenMessage.swift), in this order:
//
//  1. The peer's AS (4-octet AS capability, else My AS; RFC 6793 §4.1) is not the
//     configured peer AS                        -> 2/2 Bad Peer AS, data = the My AS
//                                                  field (2 octets) or, when the peer
//                                                  sent a 4-octet AS capability, its
//                                                  value (4 octets)
//  2. iBGP and the peer's BGP identifier equals ours (RFC 6286 §2.2)
//                                               -> 2/3 Bad BGP Identifier, data = the identifier
//  3. No family in common (RFC 4760 §8, RFC 5492 §5)
//                                               -> 2/7 Unsupported Capability, data = our
//                                                  Multiprotocol capabilities as TLVs
//
// Hold time: the negotiated value is min(ours, theirs) (RFC 4271 §4.2); 0 means no
// hold timer and no KEEPALIVEs. Nothing to refuse once the codec has checked 1 and 2.

extension SessionMachine {
    /// The error to send for an unacceptable OPEN, nil when it is acceptable.
    func checkPeerOpen(_ open: OpenMessage) -> MessageError? {
        // Rule 1.
        if open.asNumber != config.peerAS {
            let data: [UInt8]
            if let asn = open.fourOctetASCapability {
                data = [UInt8(truncatingIfNeeded: asn >> 24), UInt8(truncatingIfNeeded: asn >> 16),
                        UInt8(truncatingIfNeeded: asn >> 8), UInt8(truncatingIfNeeded: asn)]
            } else {
                data = [UInt8(open.myAS >> 8), UInt8(open.myAS & 0xFF)]
            }
            return .open(NotificationCode.Open.badPeerAS, data: data,
                         reason: "peer AS \(open.asNumber), expected \(config.peerAS)")
        }
        // Rule 2.
        if !config.peerIsExternal && open.bgpIdentifier == config.localID {
            return .open(NotificationCode.Open.badBGPIdentifier, data: open.bgpIdentifier.octets,
                         reason: "iBGP peer uses our BGP identifier \(open.bgpIdentifier)")
        }
        // Rule 3.
        let caps = NegotiatedCapabilities(local: localOpen, remote: open)
        if caps.families.isEmpty {
            var data: [UInt8] = []
            for case .multiprotocol(let f) in localOpen.capabilities {
                data += Capability.multiprotocol(f).encodedTLV
            }
            return .open(NotificationCode.Open.unsupportedCapability, data: data,
                         reason: "no address family in common (we offer \(config.families.map(\.description).joined(separator: ", ")))")
        }
        return nil
    }
}

extension Capability {
    /// Code, length and value, as in a Capabilities optional parameter.
    var encodedTLV: [UInt8] {
        var w = ByteWriter(capacity: 8)
        encode(into: &w)
        return w.bytes
    }
}
