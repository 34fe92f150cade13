import RIB

/// RIB's peer handle. Config also has a `PeerID` (address + port); files that import both
/// use this alias and `Config.PeerID` to say which one they mean.
typealias RIBPeerID = PeerID
