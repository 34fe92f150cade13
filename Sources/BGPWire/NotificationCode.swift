/// NOTIFICATION error codes and subcodes, with their names.
///
/// Sources: RFC 4271 §4.5 and §6 (codes 1–6), RFC 5492 §5 (2/7), RFC 4486 + RFC 8538 (Cease
/// subcodes 1–9), RFC 6608 (FSM error subcodes), RFC 7313 §5 (code 7), RFC 9687 (code 8),
/// RFC 9234 (2/11 role mismatch).
public enum NotificationCode {
    // MARK: Codes
    public static let messageHeaderError: UInt8 = 1
    public static let openMessageError: UInt8 = 2
    public static let updateMessageError: UInt8 = 3
    public static let holdTimerExpired: UInt8 = 4
    public static let finiteStateMachineError: UInt8 = 5
    public static let cease: UInt8 = 6
    public static let routeRefreshMessageError: UInt8 = 7
    public static let sendHoldTimerExpired: UInt8 = 8

    // MARK: Message Header Error subcodes (RFC 4271 §6.1)
    public enum Header {
        public static let connectionNotSynchronized: UInt8 = 1
        public static let badMessageLength: UInt8 = 2
        public static let badMessageType: UInt8 = 3
    }

    // MARK: OPEN Message Error subcodes (RFC 4271 §6.2, RFC 5492, RFC 9234)
    public enum Open {
        public static let unsupportedVersionNumber: UInt8 = 1
        public static let badPeerAS: UInt8 = 2
        public static let badBGPIdentifier: UInt8 = 3
        public static let unsupportedOptionalParameter: UInt8 = 4
        /// Deprecated by RFC 4271 (was Authentication Failure).
        public static let authenticationFailure: UInt8 = 5
        public static let unacceptableHoldTime: UInt8 = 6
        public static let unsupportedCapability: UInt8 = 7
        public static let roleMismatch: UInt8 = 11
    }

    // MARK: UPDATE Message Error subcodes (RFC 4271 §6.3)
    public enum Update {
        public static let malformedAttributeList: UInt8 = 1
        public static let unrecognizedWellKnownAttribute: UInt8 = 2
        public static let missingWellKnownAttribute: UInt8 = 3
        public static let attributeFlagsError: UInt8 = 4
        public static let attributeLengthError: UInt8 = 5
        public static let invalidOriginAttribute: UInt8 = 6
        /// Deprecated by RFC 4271 (was AS Routing Loop).
        public static let asRoutingLoop: UInt8 = 7
        public static let invalidNextHopAttribute: UInt8 = 8
        public static let optionalAttributeError: UInt8 = 9
        public static let invalidNetworkField: UInt8 = 10
        public static let malformedASPath: UInt8 = 11
    }

    // MARK: FSM Error subcodes (RFC 6608 §3)
    public enum FSM {
        public static let unspecified: UInt8 = 0
        public static let unexpectedMessageInOpenSent: UInt8 = 1
        public static let unexpectedMessageInOpenConfirm: UInt8 = 2
        public static let unexpectedMessageInEstablished: UInt8 = 3
    }

    // MARK: Cease subcodes (RFC 4486 §4, RFC 8538 §5)
    public enum Cease {
        public static let maximumPrefixesReached: UInt8 = 1
        public static let administrativeShutdown: UInt8 = 2
        public static let peerDeconfigured: UInt8 = 3
        public static let administrativeReset: UInt8 = 4
        public static let connectionRejected: UInt8 = 5
        public static let otherConfigurationChange: UInt8 = 6
        public static let connectionCollisionResolution: UInt8 = 7
        public static let outOfResources: UInt8 = 8
        public static let hardReset: UInt8 = 9
        public static let bfdDown: UInt8 = 10
    }

    // MARK: ROUTE-REFRESH Message Error subcodes (RFC 7313 §5)
    public enum RouteRefresh {
        public static let invalidMessageLength: UInt8 = 1
    }

    /// The RFC name of an error code ("Cease"), or "Unknown error code N".
    public static func name(code: UInt8) -> String {
        switch code {
        case 1: "Message Header Error"
        case 2: "OPEN Message Error"
        case 3: "UPDATE Message Error"
        case 4: "Hold Timer Expired"
        case 5: "Finite State Machine Error"
        case 6: "Cease"
        case 7: "ROUTE-REFRESH Message Error"
        case 8: "Send Hold Timer Expired"
        default: "Unknown error code \(code)"
        }
    }

    /// The RFC name of a subcode within `code`, or "Unspecific" (0) / "Unknown subcode N".
    public static func name(code: UInt8, subcode: UInt8) -> String {
        let table: [UInt8: String]
        switch code {
        case 1: table = [1: "Connection Not Synchronized", 2: "Bad Message Length", 3: "Bad Message Type"]
        case 2: table = [1: "Unsupported Version Number", 2: "Bad Peer AS", 3: "Bad BGP Identifier",
                         4: "Unsupported Optional Parameter", 5: "Authentication Failure (deprecated)",
                         6: "Unacceptable Hold Time", 7: "Unsupported Capability", 11: "Role Mismatch"]
        case 3: table = [1: "Malformed Attribute List", 2: "Unrecognized Well-known Attribute",
                         3: "Missing Well-known Attribute", 4: "Attribute Flags Error", 5: "Attribute Length Error",
                         6: "Invalid ORIGIN Attribute", 7: "AS Routing Loop (deprecated)",
                         8: "Invalid NEXT_HOP Attribute", 9: "Optional Attribute Error",
                         10: "Invalid Network Field", 11: "Malformed AS_PATH"]
        case 5: table = [1: "Receive Unexpected Message in OpenSent State",
                         2: "Receive Unexpected Message in OpenConfirm State",
                         3: "Receive Unexpected Message in Established State"]
        case 6: table = [1: "Maximum Number of Prefixes Reached", 2: "Administrative Shutdown",
                         3: "Peer De-configured", 4: "Administrative Reset", 5: "Connection Rejected",
                         6: "Other Configuration Change", 7: "Connection Collision Resolution",
                         8: "Out of Resources", 9: "Hard Reset", 10: "BFD Down"]
        case 7: table = [1: "Invalid Message Length"]
        default: table = [:]
        }
        if let n = table[subcode] { return n }
        return subcode == 0 ? "Unspecific" : "Unknown subcode \(subcode)"
    }
}
