/// One still-valid attachment in a GC request's `cni.dev/valid-attachments` (SPEC.md §GC, CNI 1.1.0):
/// resources of any other (container ID, interface) pair are stale.
public struct CNIAttachment: Hashable, Sendable {
    /// The container ID (`containerID`), as `CNI_CONTAINERID` was on ADD.
    public var containerID: String
    /// The interface name (`ifname`), as `CNI_IFNAME` was on ADD.
    public var ifname: String

    public init(containerID: String, ifname: String) {
        self.containerID = containerID
        self.ifname = ifname
    }
}
