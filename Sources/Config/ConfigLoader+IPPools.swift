import IPCore
import Model
import Yams

// MARK: - ipPools

/// One `ipPools` entry as written (nil: not written, or rejected).
struct IPPoolEntry: Sendable {
    var cidr: IPPrefix?
    var blockSize: Int?
    var ipipMode: EncapsulationMode?
    var vxlanMode: EncapsulationMode?
}

extension ConfigLoader {
    /// One `ipPools` entry: {cidr, blockSize, ipipMode, vxlanMode}.
    ///
    /// Accepted: `cidr` a network prefix (no host bits), pools do not overlap; `blockSize`
    /// IPv4 20-32 (default 26) or IPv6 116-128 (default 122), not shorter than the pool;
    /// `ipipMode` and `vxlanMode` Always|CrossSubnet|Never (default Never), at most one of
    /// them on. IP-in-IP and VXLAN carry IPv4 pools only (over an IPv4 underlay).
    static let ipPoolFields = FieldTable<IPPoolEntry>("an IP pool", [
        Field("cidr", required: "add \"cidr: <pool prefix>\", e.g. 10.244.0.0/16", into: \.cidr) { r, v, path in r.prefix(v, path) },
        Field("blockSize", into: \.blockSize) { r, v, path in r.integer(v, path) },
        Field("ipipMode", into: \.ipipMode) { r, v, path in r.choice(v, path, EncapsulationMode.self, what: "mode") },
        Field("vxlanMode", into: \.vxlanMode) { r, v, path in r.choice(v, path, EncapsulationMode.self, what: "mode") },
    ])
}

extension Reader {
    /// The complete `ipPools` entries as ``IPPool``s (the pool's own rules are its
    /// initialiser's); pools must not overlap.
    func ipPools(_ entries: [ReadMapping<IPPoolEntry>]) -> [IPPool] {
        var out: [(pool: IPPool, index: Int)] = []
        for e in entries {
            let d = e.value
            guard let i = e.index, let cidr = d.cidr, let cidrNode = e["cidr"] else { continue }
            var size: UInt8?
            if let n = d.blockSize, let b = e["blockSize"] {
                guard let s = UInt8(exactly: n) else {
                    let range = IPPool.blockSizes(cidr.ipFamily)
                    fail(b, e.path("blockSize"), "block size \(n) is out of range \(range.lowerBound)-\(range.upperBound)",
                         hint: "Calico's default is \(IPPool.defaultBlockSize(cidr.ipFamily))")
                    continue
                }
                size = s
            }
            guard e.isComplete, let pool = model(e, e.node, { () throws(ModelError) in
                try IPPool(cidr: cidr, blockSize: size, ipipMode: d.ipipMode ?? .Never, vxlanMode: d.vxlanMode ?? .Never)
            }) else { continue }
            if let other = out.first(where: { $0.pool.overlaps(pool) }) {
                fail(cidrNode, e.path("cidr"), "\(cidr) overlaps ipPools[\(other.index)] (\(other.pool.cidr))",
                     hint: "pools must not overlap; a block belongs to exactly one pool")
                continue
            }
            out.append((pool, i))
        }
        return out.map(\.pool)
    }

    /// With pools given, each of this node's blocks must be one block of one pool, and no
    /// workload may use a tunnel device's address (the first address of the node's first
    /// block in an encapsulated pool, see docs/ENCAPSULATION.md).
    func checkBlocks(_ c: TernConfig, _ blockNodes: [(index: Int, node: Node)], workloads: Node?) {
        guard !c.ipPools.isEmpty else { return }
        for (i, node) in blockNodes {
            guard let k = blockNodes.firstIndex(where: { $0.index == i }) else { continue }
            do {
                _ = try Block(cidr: c.blocks[k], pools: c.ipPools)
            } catch {
                fail(node, "blocks[\(i)]", error.message, hint: error.hint)
            }
        }
        for (kind, address) in c.tunnelAddresses {
            for (i, w) in c.workloads.enumerated() where w.ipNetworks.contains(address) {
                var node: Node?
                if case .sequence(let seq)? = workloads, i < seq.count { node = Array(seq)[i] }
                fail(node, "workloads[\(i)].ipNetworks", "\(address) is this node's \(kind) tunnel address (the first address of its first block in the pool)",
                     hint: "give the workload another address of the block")
            }
        }
    }
}

extension TernConfig {
    /// The address each tunnel device gets: the first address (as a host prefix) of this
    /// node's lowest block that lies in a pool encapsulated that way. "tunl0"/"vxlan.tern".
    public var tunnelAddresses: [(device: String, address: IPPrefix)] {
        var out: [(String, IPPrefix)] = []
        for kind in TunnelKind.allCases {
            let device = kind.deviceName
            let mine = blocks.filter { b in ipPools.pool(containing: b)?.tunnel == kind }.sorted()
            if case .v4(let first)? = mine.first, let host = IPv4Prefix("\(first.address)/32") { out.append((device, .v4(host))) }
        }
        return out
    }
}
