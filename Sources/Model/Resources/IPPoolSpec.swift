import IPCore

/// Calico's `IPPool` spec (projectcalico.org/v3).
public struct IPPoolSpec: Sendable, Hashable {
    public var cidr: IPPrefix
    /// nil: Calico's default (26 for IPv4, 122 for IPv6).
    public var blockSize: UInt8?
    public var ipipMode: EncapsulationMode
    public var vxlanMode: EncapsulationMode
    public var natOutgoing: Bool
    /// A disabled pool hands out no new blocks; existing ones stay.
    public var disabled: Bool
    /// Calico selector of the nodes that take blocks from the pool; nil = `all()`.
    public var nodeSelector: String?

    public init(cidr: IPPrefix, blockSize: UInt8? = nil, ipipMode: EncapsulationMode = .Never,
                vxlanMode: EncapsulationMode = .Never, natOutgoing: Bool = false, disabled: Bool = false,
                nodeSelector: String? = nil) {
        self.cidr = cidr
        self.blockSize = blockSize
        self.ipipMode = ipipMode
        self.vxlanMode = vxlanMode
        self.natOutgoing = natOutgoing
        self.disabled = disabled
        self.nodeSelector = nodeSelector
    }

    /// The validated model pool.
    public func pool() throws(ModelError) -> IPPool {
        try IPPool(cidr: cidr, blockSize: blockSize, ipipMode: ipipMode, vxlanMode: vxlanMode)
    }
}
