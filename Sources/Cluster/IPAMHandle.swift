import Foundation
import IPCore

/// The record of one IPAM handle: the blocks in which it holds addresses, so that a release
/// visits exactly those blocks (calico-ipam's handle, `/calico/ipam/v2/handle/<id>`).
///
/// Stored at `<prefix>/ipam/v2/handle/<id>` as JSON with sorted keys:
/// `{"blocks": ["10.244.0.0/26", "fd00:10:244::/122"], "handleID": "tern.4f2c…", "node": "node-a"}`.
/// Calico keeps a count per block; a Tern handle holds at most one address per family, so a
/// list of blocks says the same. The record is written *before* the block (and a block that
/// turned out full is taken off it again), so an allocation is never without its record: a
/// crash between the two leaves a record naming a block the handle holds nothing in, which
/// a release skips.
public struct IPAMHandle: Sendable, Hashable {
    /// The handle, e.g. `tern.<containerID>`.
    public var id: String
    /// The node that allocated through it.
    public var node: String
    /// The blocks it holds addresses in (sorted, no duplicates).
    public var blocks: [IPPrefix]

    public init(id: String, node: String, blocks: [IPPrefix] = []) {
        self.id = id
        self.node = node
        self.blocks = Array(Set(blocks)).sorted()
    }

    private struct Wire: Codable {
        var handleID: String
        var node: String
        var blocks: [String]
    }

    /// The stored JSON.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(Wire(handleID: id, node: node, blocks: blocks.map(\.description)))) ?? Data())
    }

    /// Decodes a stored record; nil when it is not one.
    public init?(decoding bytes: [UInt8]) {
        guard let w = try? JSONDecoder().decode(Wire.self, from: Data(bytes)) else { return nil }
        let blocks = w.blocks.compactMap { IPPrefix($0, strict: true) }
        guard blocks.count == w.blocks.count else { return nil }
        self.init(id: w.handleID, node: w.node, blocks: blocks)
    }
}
