/// A BGP capability advertised in the OPEN message (RFC 5492).
///
/// Each capability travels as a TLV inside a Capabilities optional parameter (type 2):
///
/// ```
/// +------------------------------+
/// | Capability Code (1 octet)    |
/// +------------------------------+
/// | Capability Length (1 octet)  |
/// +------------------------------+
/// | Capability Value (variable)  |
/// ~                              ~
/// +------------------------------+
/// ```
///
/// The capability length is one octet even inside RFC 9072 extended optional
/// parameters, so a value is at most 255 bytes. Codes Tern does not interpret are kept
/// opaque as ``unknown(code:value:)`` so that they survive a decode/encode round trip.
/// The wire form is in `Capability+Wire.swift`.
public enum Capability: Hashable, Sendable {
    /// Multiprotocol Extensions, code 1 (RFC 4760 §8): one address family we can carry.
    case multiprotocol(AddressFamily)
    /// Route Refresh, code 2 (RFC 2918 §2); empty value.
    case routeRefresh
    /// BGP Extended Message, code 6 (RFC 8654 §3): messages up to 65535 bytes; empty value.
    case extendedMessage
    /// Graceful Restart, code 64 (RFC 4724 §3, RFC 8538).
    case gracefulRestart(GracefulRestartCapability)
    /// Support for 4-octet AS numbers, code 65 (RFC 6793 §3): the speaker's real AS.
    case fourOctetAS(UInt32)
    /// ADD-PATH, code 69 (RFC 7911 §4): per-family send/receive of path identifiers.
    case addPath([AddPathCapability.Entry])
    /// Enhanced Route Refresh, code 70 (RFC 7313 §3.1); empty value.
    case enhancedRouteRefresh
    /// Long-Lived Graceful Restart, code 71 (RFC 9494 §3).
    case longLivedGracefulRestart(LongLivedGracefulRestartCapability)
    /// Hostname (FQDN), code 73 (draft-walton-bgp-hostname-capability §2).
    case fqdn(hostname: String, domain: String)
    /// Any other capability (or a known code whose value Tern chose not to interpret,
    /// see ``Capability/decode(code:value:)``), kept as raw bytes.
    case unknown(code: UInt8, value: [UInt8])
}

// MARK: - Codes

extension Capability {
    /// IANA "Capability Codes" used by Tern.
    public enum Code {
        /// Multiprotocol Extensions (RFC 4760).
        public static let multiprotocol: UInt8 = 1
        /// Route Refresh (RFC 2918).
        public static let routeRefresh: UInt8 = 2
        /// BGP Extended Message (RFC 8654).
        public static let extendedMessage: UInt8 = 6
        /// Graceful Restart (RFC 4724).
        public static let gracefulRestart: UInt8 = 64
        /// 4-octet AS number (RFC 6793).
        public static let fourOctetAS: UInt8 = 65
        /// ADD-PATH (RFC 7911).
        public static let addPath: UInt8 = 69
        /// Enhanced Route Refresh (RFC 7313).
        public static let enhancedRouteRefresh: UInt8 = 70
        /// Long-Lived Graceful Restart (RFC 9494).
        public static let longLivedGracefulRestart: UInt8 = 71
        /// Hostname / FQDN (draft-walton-bgp-hostname-capability).
        public static let fqdn: UInt8 = 73
    }

    /// The capability code on the wire.
    public var code: UInt8 {
        switch self {
        case .multiprotocol: Code.multiprotocol
        case .routeRefresh: Code.routeRefresh
        case .extendedMessage: Code.extendedMessage
        case .gracefulRestart: Code.gracefulRestart
        case .fourOctetAS: Code.fourOctetAS
        case .addPath: Code.addPath
        case .enhancedRouteRefresh: Code.enhancedRouteRefresh
        case .longLivedGracefulRestart: Code.longLivedGracefulRestart
        case .fqdn: Code.fqdn
        case .unknown(let code, _): code
        }
    }

    /// The IANA name of capability `code` ("Route Refresh"), or "Capability N".
    public static func name(code: UInt8) -> String {
        switch code {
        case 1: "Multiprotocol Extensions"
        case 2: "Route Refresh"
        case 3: "Outbound Route Filtering"
        case 5: "Extended Next Hop Encoding"
        case 6: "BGP Extended Message"
        case 9: "BGP Role"
        case 64: "Graceful Restart"
        case 65: "4-octet AS number"
        case 69: "ADD-PATH"
        case 70: "Enhanced Route Refresh"
        case 71: "Long-Lived Graceful Restart"
        case 73: "FQDN"
        case 75: "Software Version"
        case 128: "Route Refresh (Cisco, pre-standard)"
        default: "Capability \(code)"
        }
    }

    /// The IANA name of this capability's code.
    public var name: String { Capability.name(code: code) }
}

// MARK: - Description

extension Capability: CustomStringConvertible {
    /// The name and the value, e.g. "Multiprotocol Extensions (ipv6-unicast)".
    public var description: String {
        switch self {
        case .multiprotocol(let f): "\(name) (\(f))"
        case .routeRefresh, .extendedMessage, .enhancedRouteRefresh: name
        case .gracefulRestart(let gr): "\(name) (\(gr))"
        case .longLivedGracefulRestart(let llgr): "\(name) (\(llgr))"
        case .fourOctetAS(let asn): "\(name) (AS\(asn))"
        case .addPath(let entries): "\(name) (\(entries.map(\.description).joined(separator: ", ")))"
        case .fqdn(let host, let domain): domain.isEmpty ? "\(name) (\(host))" : "\(name) (\(host).\(domain))"
        case .unknown(_, let value): value.isEmpty ? name : "\(name) (\(value.hexString))"
        }
    }
}
