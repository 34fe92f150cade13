import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to stderr
/// (`tern run --log-format json`), for log shippers:
/// `{"ts":"2026-11-21T12:00:00.000Z","level":"info","label":"tern","msg":"...","peer":"192.168.77.2"}`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", LogTime.iso8601(Date())), ("level", event.level.rawValue), ("label", label), ("msg", event.message.description),
        ]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            fields.append((k, v.description))
        }
        let body = fields.map { "\(LogTime.quote($0.0)):\(LogTime.quote($0.1))" }.joined(separator: ",")
        FileHandle.standardError.write(Data(("{" + body + "}\n").utf8))
    }
}

/// Text form: `2026-11-21T12:00:00.000Z info  peer=192.168.77.2 session established`.
public struct TextLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let meta = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
            .sorted(by: { $0.key < $1.key }).map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let level = event.level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        let line = "\(LogTime.iso8601(Date())) \(level) \(meta.isEmpty ? "" : meta + " ")\(event.message)\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}

/// Helpers shared by the log handlers and the control socket (timestamps, JSON strings).
public enum LogTime {
    /// UTC ISO 8601 with milliseconds.
    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }

    /// Installs the process-wide log handler: `format` "json" or "text", at `level`.
    public static func bootstrap(format: String, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var h: any LogHandler = format == "json" ? JSONLogHandler(label: label) : TextLogHandler()
            h.logLevel = level
            return h
        }
    }
}
