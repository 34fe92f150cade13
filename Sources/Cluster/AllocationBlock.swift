import Foundation
import IPCore

/// One IPAM block's stored value: which node it is affine to and which of its addresses are
/// allocated, to whom (Calico's `AllocationBlock`, ../shared/reference/CNI.md B3, in a
/// simpler shape).
///
/// Stored at `<prefix>/ipam/v2/assignment/ipv4/block/10.244.0.0-26` as JSON with sorted keys:
///
/// ```json
/// {"affinity": "host:node-a", "cidr": "10.244.0.0/26",
///  "allocations": {"0": {"handle": "tern.4f2c…", "node": "node-a"},
///                  "1": {"handle": "tern.91ab…", "node": "node-b"}}}
/// ```
///
/// - `affinity` and `cidr` are what ``BlockClaimer`` writes (a block it just claimed has no
///   `allocations` key: that reads as empty), so ``BlockClaimer`` keeps reading the owner.
/// - `allocations` maps an *ordinal* (the address's offset from the block's network address,
///   as a decimal string) to the handle holding it and the node that allocated it (the
///   block's own node, or a node that borrowed the address: Calico keeps the same in the
///   attribute's `secondary.node`). Free ordinals are the ones absent from the map; Calico's
///   `unallocated` list and `attributes` array are not kept.
///
/// Every address of the block is handed out, the network and the broadcast address
/// included, as Calico does: a block is a routed aggregate, never an on-link subnet (every
/// workload has a /32 or /128 and reaches its gateway 169.254.1.1 by a link-scope route), so
/// .0 and .63 of a /26 are ordinary host addresses.
public struct AllocationBlock: Sendable, Hashable {
    /// Who holds one allocated address.
    public struct Holder: Sendable, Hashable, Codable {
        /// The IPAM handle (the CNI plugin's `<network>.<containerID>`).
        public var handle: String
        /// The node that allocated it (differs from the block's node when borrowed).
        public var node: String

        public init(handle: String, node: String) {
            self.handle = handle
            self.node = node
        }
    }

    /// The block, e.g. 10.244.0.0/26.
    public var cidr: IPPrefix
    /// `host:<node>`, nil when the block is affine to no node.
    public var affinity: String?
    /// Allocated ordinals and their holders.
    public var allocations: [Int: Holder]

    public init(cidr: IPPrefix, node: String?, allocations: [Int: Holder] = [:]) {
        self.cidr = cidr
        self.affinity = node.map { "host:\($0)" }
        self.allocations = allocations
    }

    /// The node in `affinity`, nil when there is none.
    public var node: String? {
        guard let a = affinity, a.hasPrefix("host:") else { return nil }
        return String(a.dropFirst(5))
    }

    /// The number of addresses in the block (every one of them can be allocated).
    public var size: Int { 1 << Int(cidr.ipFamily.bits - cidr.length) }

    /// True when no ordinal is free.
    public var isFull: Bool { allocations.count >= size }

    /// The lowest free ordinal, nil when the block is full.
    public var lowestFree: Int? {
        if allocations.isEmpty { return 0 }
        for o in 0..<size where allocations[o] == nil { return o }
        return nil
    }

    /// The address at `ordinal`, nil when it is outside the block.
    public func address(_ ordinal: Int) -> IPAddress? {
        guard ordinal >= 0, ordinal < size else { return nil }
        switch cidr {
        case .v4(let p): return .v4(IPv4Address(p.address.value + UInt32(ordinal)))
        // Blocks are /116 or longer: the ordinal fits in the low 64 bits without a carry.
        case .v6(let p): return .v6(IPv6Address(high: p.address.high, low: p.address.low | UInt64(ordinal)))
        }
    }

    /// The ordinal of `address`, nil when it is not in the block.
    public func ordinal(of address: IPAddress) -> Int? {
        guard cidr.contains(address: address) else { return nil }
        switch (cidr, address) {
        case (.v4(let p), .v4(let a)): return Int(a.value - p.address.value)
        case (.v6(let p), .v6(let a)): return Int(a.low - p.address.low)
        default: return nil
        }
    }

    /// The ordinals held by `handle`, in order.
    public func ordinals(of handle: String) -> [Int] {
        allocations.filter { $0.value.handle == handle }.keys.sorted()
    }

    // MARK: JSON

    private struct Wire: Codable {
        var cidr: String
        var affinity: String?
        var allocations: [String: Holder]?
    }

    /// Why a stored value is not a block.
    public struct DecodeError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The stored JSON (sorted keys; `allocations` omitted when empty, as BlockClaimer writes it).
    public func encoded() -> [UInt8] {
        let wire = Wire(cidr: cidr.description, affinity: affinity,
                        allocations: allocations.isEmpty ? nil
                            : Dictionary(uniqueKeysWithValues: allocations.map { (String($0.key), $0.value) }))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(wire)) ?? Data())
    }

    /// Decodes a stored value; throws for anything that is not a block (bad JSON, a bad
    /// `cidr`, an ordinal outside the block).
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        let wire: Wire
        do { wire = try JSONDecoder().decode(Wire.self, from: Data(bytes)) } catch {
            throw DecodeError(description: "not an IPAM block: \(error)")
        }
        guard let cidr = IPPrefix(wire.cidr, strict: true) else {
            throw DecodeError(description: "not an IPAM block: bad cidr \(wire.cidr)")
        }
        self.cidr = cidr
        self.affinity = wire.affinity
        var allocations: [Int: Holder] = [:]
        let size = 1 << Int(cidr.ipFamily.bits - cidr.length)
        for (k, v) in wire.allocations ?? [:] {
            guard let o = Int(k), o >= 0, o < size else {
                throw DecodeError(description: "IPAM block \(cidr): ordinal \(k) is outside the block")
            }
            allocations[o] = v
        }
        self.allocations = allocations
    }
}
