import Cluster
import IPCore
import TernAPI

// MARK: - IPAM over the control socket (what the CNI plugin calls)

extension Node {
    /// `ipam-allocate` / `ipam-release`: run on the datastore agent's queue (never the
    /// loop); `reply` runs on the loop. Needs a datastore: the blocks and their allocations
    /// live there (docs/DATASTORE.md, IPAM).
    func ipam(_ request: ControlProtocol.Request, reply: @escaping (ControlProtocol.Response) -> Void) {
        guard let r = request.ipam, !r.handle.isEmpty else { return reply(.failure(.badRequest, "\(request.command) needs ipam.handle")) }
        guard let agent = cluster else {
            return reply(.failure(.unavailable, "IPAM needs a datastore: add datastore: {type: file} (or etcd) to the configuration"))
        }
        let send = UncheckedSendable(reply)
        let loop = self.loop
        if request.command == ControlProtocol.Command.ipamGC.rawValue {
            agent.garbageCollect(handlePrefix: r.handle, live: Set(r.keep ?? [])) { result in
                loop.execute {
                    switch result {
                    case .success(let freed):
                        send.value(ControlProtocol.Response(ok: true, ipam: freed.sorted { $0.key < $1.key }.flatMap { _, addresses in
                            addresses.map { ControlProtocol.IPAMAddress(address: $0.description) }
                        }))
                    case .failure(let f): send.value(.failure(.unavailable, f.message))
                    }
                }
            }
            return
        }
        if request.command == ControlProtocol.Command.ipamRelease.rawValue {
            agent.release(handle: r.handle) { result in
                loop.execute {
                    switch result {
                    case .success(let freed):
                        send.value(ControlProtocol.Response(ok: true, ipam: freed.map { ControlProtocol.IPAMAddress(address: $0.description) }))
                    case .failure(let f): send.value(.failure(.unavailable, f.message))
                    }
                }
            }
            return
        }
        let family: IPFamily
        switch r.family ?? "ipv4" {
        case "ipv4": family = .v4
        case "ipv6": family = .v6
        default: return reply(.failure(.invalid, "ipam.family must be ipv4 or ipv6, not \(r.family ?? "")"))
        }
        var requested: IPAddress?
        if let text = r.address {
            guard let a = IPAddress(text.split(separator: "/").first.map(String.init) ?? text) else {
                return reply(.failure(.invalid, "\(text) is not an IP address"))
            }
            requested = a
        }
        if let wanted = r.pools, let known = clusterState?.view.pools {
            for w in wanted where !known.contains(where: { $0.name == w || $0.spec.cidr.description == w }) {
                return reply(.failure(.invalid, "no IPPool named \(w) (pools: \(known.map(\.name).joined(separator: ", ")))"))
            }
        }
        agent.allocate(handle: r.handle, family: family, requested: requested, pools: r.pools) { result in
            loop.execute {
                switch result {
                case .success(let a):
                    send.value(ControlProtocol.Response(ok: true, ipam: [ControlProtocol.IPAMAddress(
                        address: a.address.description, block: a.block.description, borrowed: a.borrowed ? true : nil)]))
                case .failure(let f):
                    send.value(.failure(f.retry ? .unavailable : .conflict, f.message))
                }
            }
        }
    }
}
