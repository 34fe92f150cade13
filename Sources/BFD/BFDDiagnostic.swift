/// The Diagnostic code of a BFD Control packet (RFC 5880 §4.1, "Diagnostic (Diag)"):
/// why the local system's session last changed state.
///
/// Values 9-31 are reserved; ``BFDControlPacket`` decodes them as ``unknown(_:)`` so a
/// future code is carried, not rejected.
public enum BFDDiagnostic: Hashable, Sendable, CustomStringConvertible {
    /// 0 -- No Diagnostic.
    case none
    /// 1 -- Control Detection Time Expired.
    case controlDetectionTimeExpired
    /// 2 -- Echo Function Failed.
    case echoFunctionFailed
    /// 3 -- Neighbor Signaled Session Down.
    case neighborSignaledSessionDown
    /// 4 -- Forwarding Plane Reset.
    case forwardingPlaneReset
    /// 5 -- Path Down.
    case pathDown
    /// 6 -- Concatenated Path Down.
    case concatenatedPathDown
    /// 7 -- Administratively Down.
    case administrativelyDown
    /// 8 -- Reverse Concatenated Path Down.
    case reverseConcatenatedPathDown
    /// 9-31 -- reserved for future use (the 5-bit value).
    case unknown(UInt8)

    /// The diagnostic for a 5-bit Diag field value (`code & 0x1f`).
    public init(code: UInt8) {
        switch code & 0x1f {
        case 0: self = .none
        case 1: self = .controlDetectionTimeExpired
        case 2: self = .echoFunctionFailed
        case 3: self = .neighborSignaledSessionDown
        case 4: self = .forwardingPlaneReset
        case 5: self = .pathDown
        case 6: self = .concatenatedPathDown
        case 7: self = .administrativelyDown
        case 8: self = .reverseConcatenatedPathDown
        case let c: self = .unknown(c)
        }
    }

    /// The 5-bit Diag field value.
    public var code: UInt8 {
        switch self {
        case .none: 0
        case .controlDetectionTimeExpired: 1
        case .echoFunctionFailed: 2
        case .neighborSignaledSessionDown: 3
        case .forwardingPlaneReset: 4
        case .pathDown: 5
        case .concatenatedPathDown: 6
        case .administrativelyDown: 7
        case .reverseConcatenatedPathDown: 8
        case .unknown(let c): c & 0x1f
        }
    }

    /// The RFC 5880 §4.1 name ("Control Detection Time Expired").
    public var description: String {
        switch self {
        case .none: "No Diagnostic"
        case .controlDetectionTimeExpired: "Control Detection Time Expired"
        case .echoFunctionFailed: "Echo Function Failed"
        case .neighborSignaledSessionDown: "Neighbor Signaled Session Down"
        case .forwardingPlaneReset: "Forwarding Plane Reset"
        case .pathDown: "Path Down"
        case .concatenatedPathDown: "Concatenated Path Down"
        case .administrativelyDown: "Administratively Down"
        case .reverseConcatenatedPathDown: "Reverse Concatenated Path Down"
        case .unknown(let c): "Reserved Diagnostic \(c)"
        }
    }
}
