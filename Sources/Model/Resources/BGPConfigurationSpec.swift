import IPCore

/// Calico's `BGPConfiguration` spec; the one named `default` holds the cluster's settings.
public struct BGPConfigurationSpec: Sendable, Hashable {
    /// The cluster's default AS (Calico's default 64512 when nil).
    public var asNumber: UInt32?
    /// nil = true (Calico's default).
    public var nodeToNodeMeshEnabled: Bool?
    /// `Debug`, `Info`, `Warning`, `Error`, `Fatal` (Calico's spelling).
    public var logSeverityScreen: String?
    public var serviceClusterIPs: [IPPrefix]
    /// nil = 179.
    public var listenPort: UInt16?

    /// Calico's default AS number.
    public static let defaultASNumber: UInt32 = 64512

    public init(asNumber: UInt32? = nil, nodeToNodeMeshEnabled: Bool? = nil, logSeverityScreen: String? = nil,
                serviceClusterIPs: [IPPrefix] = [], listenPort: UInt16? = nil) {
        self.asNumber = asNumber
        self.nodeToNodeMeshEnabled = nodeToNodeMeshEnabled
        self.logSeverityScreen = logSeverityScreen
        self.serviceClusterIPs = serviceClusterIPs
        self.listenPort = listenPort
    }
}
