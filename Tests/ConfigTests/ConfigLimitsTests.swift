import Config
import Foundation
import Testing

/// Issue 11 item 10: a huge configuration is refused before it is read, and one huge value
/// cannot turn a diagnostic into megabytes.
@Suite struct ConfigLimitsTests {
    @Test func aFileOverTheLimitIsRefusedWithItsSize() throws {
        let path = NSTemporaryDirectory() + "tern-big-\(getpid()).yaml"
        defer { unlink(path) }
        let size = ConfigLoader.maxFileSize + 1
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: size)))
        #expect {
            try ConfigLoader.load(path: path)
        } throws: { error in
            "\(error)" == "\(path): the file is \(size) bytes; a configuration file may be at most \(ConfigLoader.maxFileSize) bytes (16 MiB) (hint: is this the right file?)"
        }
    }

    @Test func aHugeValueIsQuotedAsAnExcerpt() throws {
        let value = String(repeating: "x", count: 100_000)
        #expect {
            try ConfigLoader.parse(yaml: "nodeName: a\nasNumber: 64512\nrouterID: \(value)\n", file: "big.yaml")
        } throws: { error in
            let text = "\(error)"
            return text.count < 600 && text.contains("more characters)") && text.hasPrefix("big.yaml:3:11: routerID:")
        }
        // A short message is kept whole.
        let short = ConfigError(file: "f", line: 1, column: 1, keyPath: "k", message: String(repeating: "y", count: ConfigError.maxTextLength))
        #expect(short.message.count == ConfigError.maxTextLength)
    }
}

@Suite struct EnforceFirstASConfigTests {
    @Test func defaultsToOnAndCanBeTurnedOff() throws {
        let base = "nodeName: a\nasNumber: 64512\nrouterID: 192.0.2.1\n"
        #expect(try ConfigLoader.parse(yaml: base).enforceFirstAS == true)
        let off = try ConfigLoader.parse(yaml: base + "enforceFirstAS: false\n")
        #expect(off.enforceFirstAS == false)
        // Changing it restarts every session (what was accepted changes).
        #expect(ConfigDiff(old: try ConfigLoader.parse(yaml: base), new: off).restartAll)
        #expect(throws: ConfigErrors.self) { try ConfigLoader.parse(yaml: base + "enforceFirstAS: maybe\n") }
    }
}
