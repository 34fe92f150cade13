import IPCore

// MARK: - Wire form (RFC 4760 §3: a next hop is 4 or 16 octets)

extension IPAddress {
    /// Octets this address takes on the wire (4 or 16).
    public var wireSize: Int {
        switch self {
        case .v4: 4
        case .v6: 16
        }
    }

    /// Appends the address in network order.
    func encode(into w: inout ByteWriter) {
        switch self {
        case .v4(let a): w.writeUInt32(a.value)
        case .v6(let a):
            w.writeUInt64(a.high)
            w.writeUInt64(a.low)
        }
    }
}
