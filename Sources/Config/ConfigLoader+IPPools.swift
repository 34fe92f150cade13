import IPCore
import Model
import Yams

// MARK: - ipPools and the overlay settings

extension Reader {
    /// `ipPools`: a list of {cidr, blockSize, ipipMode, vxlanMode}.
    ///
    /// Accepted: `cidr` a network prefix (no host bits), pools do not overlap; `blockSize`
    /// IPv4 20-32 (default 26) or IPv6 116-128 (default 122), not shorter than the pool;
    /// `ipipMode` and `vxlanMode` Always|CrossSubnet|Never (default Never), at most one of
    /// them on. IP-in-IP and VXLAN carry IPv4 pools only (over an IPv4 underlay).
    func ipPools(_ v: Node) -> [IPPool] {
        guard let items = list(v, "ipPools", example: "{cidr: 10.244.0.0/16, blockSize: 26, vxlanMode: Always}") else { return [] }
        var out: [(pool: IPPool, index: Int)] = []
        for (i, item) in items.enumerated() {
            guard let f = fields(item, "ipPools[\(i)]", known: ConfigLoader.ipPoolKeys, what: "an IP pool") else { continue }
            guard let cidrNode = required(f, "cidr", hint: "add \"cidr: <pool prefix>\", e.g. 10.244.0.0/16"),
                  let cidr = prefix(cidrNode, f.path("cidr")) else { continue }
            var ok = true
            var size: UInt8?
            if let b = f["blockSize"] {
                if let n = integer(b, f.path("blockSize")) {
                    if let s = UInt8(exactly: n) { size = s } else {
                        let range = IPPool.blockSizes(cidr.ipFamily)
                        fail(b, f.path("blockSize"), "block size \(n) is out of range \(range.lowerBound)-\(range.upperBound)",
                             hint: "Calico's default is \(IPPool.defaultBlockSize(cidr.ipFamily))")
                        ok = false
                    }
                } else { ok = false }
            }
            var ipip = EncapsulationMode.Never, vxlan = EncapsulationMode.Never
            if let m = f["ipipMode"] {
                if let mode = choice(m, f.path("ipipMode"), EncapsulationMode.self, what: "mode") { ipip = mode } else { ok = false }
            }
            if let m = f["vxlanMode"] {
                if let mode = choice(m, f.path("vxlanMode"), EncapsulationMode.self, what: "mode") { vxlan = mode } else { ok = false }
            }
            guard ok, let pool = model(f, item, { () throws(ModelError) in
                try IPPool(cidr: cidr, blockSize: size, ipipMode: ipip, vxlanMode: vxlan)
            }) else { continue }
            if let other = out.first(where: { $0.pool.overlaps(pool) }) {
                fail(cidrNode, f.path("cidr"), "\(cidr) overlaps ipPools[\(other.index)] (\(other.pool.cidr))",
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

extension Reader {
    /// `dataplane.ipipMTU`, `vxlanMTU`, `vxlanVNI`, `vxlanPort`, `underlayInterface`.
    func overlay(_ f: Fields, into d: inout DataplaneSettings) {
        if let v = f["ipipMTU"], let m = tunnelMTU(v, f.path("ipipMTU"), overhead: 20) { d.overlay.ipipMTU = m }
        if let v = f["vxlanMTU"], let m = tunnelMTU(v, f.path("vxlanMTU"), overhead: 50) { d.overlay.vxlanMTU = m }
        if let v = f["vxlanVNI"], let n = integer(v, f.path("vxlanVNI")) {
            if (1...0xFF_FFFF).contains(n) { d.overlay.vxlanVNI = UInt32(n) } else {
                fail(v, f.path("vxlanVNI"), "VNI \(n) is out of range 1-16777215 (24 bits, RFC 7348)", hint: "the default is 4096")
            }
        }
        if let v = f["vxlanPort"], let p = port(v, f.path("vxlanPort")) { d.overlay.vxlanPort = p }
        if let v = f["underlayInterface"], let n = interfaceName(v, f.path("underlayInterface")) { d.overlay.underlayInterface = n }
    }

    /// A tunnel MTU: 576 (the IPv4 minimum datagram every host accepts, RFC 791) to 65535.
    func tunnelMTU(_ v: Node, _ path: String, overhead: Int) -> UInt32? {
        guard let n = integer(v, path) else { return nil }
        guard (576...65_535).contains(n) else {
            fail(v, path, "MTU \(n) is out of range 576-65535",
                 hint: "leave it out for the underlay MTU − \(overhead)")
            return nil
        }
        return UInt32(n)
    }
}
