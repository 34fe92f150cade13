/// A NOTIFICATION message (RFC 4271 §4.5).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Error code    | Error subcode |   Data (variable)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// Codes and subcodes are named in ``NotificationCode``.
public struct NotificationMessage: Hashable, Sendable, CustomStringConvertible {
    public var code: UInt8
    public var subcode: UInt8
    /// Diagnostic data; its meaning depends on code/subcode (e.g. the bad length for 1/2).
    public var data: [UInt8]

    public init(code: UInt8, subcode: UInt8, data: [UInt8] = []) {
        self.code = code
        self.subcode = subcode
        self.data = data
    }

    /// "Cease / Administrative Shutdown".
    public var name: String {
        "\(NotificationCode.name(code: code)) / \(NotificationCode.name(code: code, subcode: subcode))"
    }

    /// For Cease 2 and 4 (RFC 9003 §2): the UTF-8 shutdown communication in the data, if well formed.
    public var shutdownCommunication: String? {
        guard code == NotificationCode.cease,
              subcode == NotificationCode.Cease.administrativeShutdown
                || subcode == NotificationCode.Cease.administrativeReset,
              let len = data.first, len > 0, data.count >= 1 + Int(len) else { return nil }
        return String(validating: data[1...Int(len)], as: UTF8.self)
    }

    /// A Cease 2/4 NOTIFICATION with an RFC 9003 shutdown communication (truncated to 255 bytes
    /// on a UTF-8 boundary).
    public static func cease(_ subcode: UInt8, communication: String) -> NotificationMessage {
        var bytes = Array(communication.utf8)
        while bytes.count > 255 { bytes = Array(String(decoding: bytes.dropLast(), as: UTF8.self).utf8.prefix(bytes.count - 1)) }
        return NotificationMessage(code: NotificationCode.cease, subcode: subcode, data: [UInt8(bytes.count)] + bytes)
    }

    public var description: String {
        data.isEmpty ? "\(name) (\(code)/\(subcode))" : "\(name) (\(code)/\(subcode), data \(data.hexString))"
    }
}

// MARK: - Wire form

extension NotificationMessage {
    /// Decodes a NOTIFICATION body (everything after the 19-byte header).
    public static func decode(body r: inout ByteReader) throws(MessageError) -> NotificationMessage {
        guard r.remaining >= 2 else {
            throw MessageError.header(.badMessageLength, data: [], reason: "NOTIFICATION body shorter than 2 bytes")
        }
        let code = (try? r.readUInt8()) ?? 0
        let sub = (try? r.readUInt8()) ?? 0
        return NotificationMessage(code: code, subcode: sub, data: r.readRest().remainingBytes)
    }

    /// Appends the body.
    public func encode(into w: inout ByteWriter) {
        w.writeUInt8(code)
        w.writeUInt8(subcode)
        w.writeBytes(data)
    }
}

extension Collection where Element == UInt8 {
    /// Lower-case hex, no separators.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Parses hex text, ignoring spaces, colons and newlines; nil on any other character or odd length.
    public init?(hex: String) {
        var out: [UInt8] = []
        var hi: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): continue
            default: return nil
            }
            if let h = hi { out.append(h << 4 | v); hi = nil } else { hi = v }
        }
        guard hi == nil else { return nil }
        self = out
    }
}
