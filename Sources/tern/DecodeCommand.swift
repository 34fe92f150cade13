import ArgumentParser
import BGPWire
import Foundation

/// `tern decode`: print every message of a raw BGP byte stream as JSON, one per line.
struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a raw BGP byte stream (e.g. one direction of a TCP session) or hex.",
        discussion: """
            Prints one JSON object per message. A malformed message prints
            {"error": {"action": "session-reset" | "treat-as-withdraw" | "attribute-discard", ...}}
            with the NOTIFICATION a reset sends. Exit status: 0 when every message was well
            formed, 1 otherwise, 2 on usage errors. Without context flags the 4-octet-AS,
            add-path and extended-message settings are negotiated from the stream's OPENs.
            """
    )

    @Argument(help: "File holding the raw stream ('-' for standard input).")
    var file: String?

    @Option(name: .long, help: "The stream as hex instead of a file (spaces and colons ignored).")
    var hex: String?

    @Option(name: .long, help: "Output format.")
    var format: OutputFormat = .json

    @Flag(name: .long, help: "Context: AS numbers are 4 octets (RFC 6793 negotiated).")
    var fourOctetAS = false

    @Flag(name: .long, help: "Context: extended messages up to 65535 bytes (RFC 8654).")
    var extendedMessage = false

    @Option(name: .long, help: "Context: NLRI of this family carry add-path ids (ipv4, ipv6); repeatable.")
    var addPath: [String] = []

    @Flag(name: .long, help: "Context: the sender is an external (eBGP) peer.")
    var ebgp = false

    @Flag(name: .long, help: "Go on after a message that would reset the session (framing errors still stop).")
    var keepGoing = false

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case json, text }

    func validate() throws {
        if (file == nil) == (hex == nil) { throw ValidationError("give exactly one of FILE or --hex") }
        for name in addPath where AddressFamily(name: name) == nil {
            throw ValidationError("unknown family '\(name)' for --add-path (use ipv4 or ipv6)")
        }
    }

    func run() throws {
        let bytes = try input()
        var decoder = StreamDecoder()
        decoder.keepGoing = keepGoing
        if fourOctetAS || extendedMessage || ebgp || !addPath.isEmpty {
            decoder.explicitContext = CodecContext(
                fourOctetAS: fourOctetAS, extendedMessage: extendedMessage,
                addPath: Set(addPath.compactMap { AddressFamily(name: $0) }), peerIsExternal: ebgp)
        }
        let summary = decoder.decode(bytes) { item in
            switch format {
            case .json: print(item.json.serialized)
            case .text: print(MessageText.line(item))
            }
        }
        if !summary.wellFormed { throw ExitCode(1) }
    }

    private func input() throws -> [UInt8] {
        if let hex {
            guard let b = [UInt8](hex: hex) else { throw ValidationError("--hex is not an even number of hex digits") }
            return b
        }
        let path = file ?? "-"
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        return Array(data)
    }
}
