import IPCore
import Model

/// A pool as the tests write it, validated by ``Model/IPPool`` like the daemon's.
func pool(_ cidr: String, _ tunnel: TunnelKind? = nil, _ mode: EncapsulationMode = .Always) -> IPPool {
    try! IPPool(cidr: bp(cidr), ipipMode: tunnel == .ipip ? mode : .Never, vxlanMode: tunnel == .vxlan ? mode : .Never)
}

/// A workload as the tests write it, validated by ``Model/Workload``.
func workload(name: String, interface: String, ipNetworks: [IPPrefix], mac: [UInt8]? = nil) -> Workload {
    try! Workload(name: name, interface: InterfaceName(interface)!, ipNetworks: ipNetworks,
                  mac: mac.map { MACAddress(octets: $0)! })
}
