import Model
import BGPWire
import Config
import Foundation
import RIB
import Speaker
import Logging

// MARK: - SIGHUP: reload the configuration without touching untouched peers

extension Node {
    /// Re-reads the configuration file (SIGHUP). The file is read and parsed on a utility
    /// queue, never on the BGP loop (a huge file must not hold keepalives back); the result
    /// is applied on the loop. An invalid file is rejected with every error logged and the
    /// running configuration stays. Otherwise: removed peers get Cease 3 (Peer
    /// De-configured), changed peers restart with Cease 6 (Other Configuration Change),
    /// added peers start, untouched peers keep their sessions; blocks are re-originated.
    /// A SIGHUP during a reload is applied after it, once. `done` runs on the loop after
    /// this reload was applied or rejected.
    public func reload(done: (@Sendable () -> Void)? = nil) {
        loop.assertOnLoop()
        guard let path = configPath else { done?(); return }
        if let done { reloadCallbacks.append(done) }
        guard !reloadInProgress else {
            reloadAgain = true
            return
        }
        reloadInProgress = true
        let loop = self.loop
        DispatchQueue.global(qos: .utility).async { [weak self] in
            let result = Result { () throws(ConfigErrors) -> TernConfig in try ConfigLoader.load(path: path) }
            loop.execute { [weak self] in
                guard let self else { return }
                self.reloadInProgress = false
                self.apply(result, from: path)
                if self.reloadAgain {
                    self.reloadAgain = false
                    self.reload()
                } else {
                    let callbacks = self.reloadCallbacks
                    self.reloadCallbacks = []
                    callbacks.forEach { $0() }
                }
            }
        }
    }

    /// Applies a reloaded configuration file (on the loop): the node's name and router ID
    /// found on the host at start stay; the datastore's resources are merged in again.
    private func apply(_ result: Result<TernConfig, ConfigErrors>, from path: String) {
        var file: TernConfig
        switch result {
        case .failure(let error):
            logger.error("SIGHUP: \(path) rejected, keeping the running configuration:\n\(error)")
            return
        case .success(let config):
            file = config
        }
        if file.datastore != nil {
            if file.nodeName.isEmpty { file.nodeName = fileConfig.nodeName }
            if file.routerID.value == 0 { file.routerID = fileConfig.routerID }
        }
        fileConfig = file
        if !apply(effectiveConfig(file: file), reason: "SIGHUP") { logger.info("SIGHUP: \(path) unchanged") } else {
            logger.info("SIGHUP: reloaded \(path)")
        }
        // RFC 4486 `disable`: a peer stopped for too many prefixes stays down until a reload.
        speaker.resumeDisabledPeers()
    }

    /// Moves the node to configuration `new` (on the loop), touching only what changed:
    /// removed peers get Cease 3 (Peer De-configured), changed peers restart with Cease 6,
    /// added peers start, untouched peers keep their sessions; blocks are re-originated.
    /// `reason` starts the log lines ("SIGHUP", "datastore"). False when nothing changed.
    @discardableResult
    func apply(_ new: TernConfig, reason: String) -> Bool {
        let diff = ConfigDiff(old: config, new: new)
        let old = config
        let observabilityChanged = new.metrics != old.metrics || new.health != old.health
        defer { if observabilityChanged { reconfigureObservability(from: old, reason: reason) } }
        if new.logLevel != config.logLevel, let level = Logger.Level(rawValue: new.logLevel.rawValue) {
            logger.logLevel = level
        }
        if diff.isEmpty {
            config = new
            return observabilityChanged
        }
        if diff.restartAll {
            logger.warning("\(reason): AS number, router ID or role changed: restarting every session")
            let cease = NotificationMessage(code: NotificationCode.cease, subcode: NotificationCode.Cease.otherConfigurationChange)
            // The agent stops first (its queue would otherwise apply the withdrawals below);
            // the new one adopts the kernel's routes and keeps them until End-of-RIB.
            dataplane?.stop()
            dataplane = nil
            speaker.reset(config: Node.speakerConfig(new), notification: cease)
            config = new
            originatedBorrowed = []
            speaker.originate(new.blocks)
            for pc in new.effectivePeers { speaker.addPeer(pc) }
            dataplaneError = nil
            startDataplane()
            if dataplane == nil { applyWorkloads() }
            return true
        }
        config = new
        if diff.dataplaneChanged {
            // Stopped before the peer changes below, as above; restarted after them.
            logger.info("\(reason): dataplane settings changed: restarting the agent (it adopts the kernel's routes)")
            dataplane?.stop()
            dataplane = nil
        }
        for pc in diff.removed {
            logger.info("\(reason): peer \(pc.endpoint) removed (Cease 3)")
            speaker.removePeer(pc.endpoint, notification: NotificationMessage(code: NotificationCode.cease,
                                                                subcode: NotificationCode.Cease.peerDeconfigured))
        }
        for change in diff.changed {
            logger.info("\(reason): peer \(change.old.endpoint) changed (\(change.fields.joined(separator: ", "))): restarting it")
            speaker.removePeer(change.old.endpoint, notification: NotificationMessage(code: NotificationCode.cease,
                                                                        subcode: NotificationCode.Cease.otherConfigurationChange))
            speaker.addPeer(change.new)
        }
        for pc in diff.bfdChanged {
            logger.info("\(reason): peer \(pc.endpoint): BFD \(pc.bfd.map { "\($0)" } ?? "off") (BGP session kept)")
            speaker.setBFD(pc)
        }
        for pc in diff.added {
            logger.info("\(reason): peer \(pc.endpoint) added")
            speaker.addPeer(pc)
        }
        speaker.withdrawOriginated(diff.blocksRemoved)
        speaker.originate(diff.blocksAdded)
        if diff.dataplaneChanged {
            dataplaneError = nil
            startDataplane()
        } else {
            if diff.overlayChanged {
                logger.info("\(reason): ipPools/overlay settings changed: re-programming in place (make-before-break)")
                dataplane?.setOverlay(Node.overlayConfig(new))
            }
            dataplane?.setLocalBlocks(new.blocks)
            applyWorkloads()
        }
        if diff.listenerChanged { logger.warning("\(reason): listen address/port changes need a restart of tern") }
        return true
    }
}
