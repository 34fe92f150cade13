import ArgumentParser
import Config
import Foundation

/// `tern check --config FILE`: validate a configuration without running it.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration file: every error with file:line:column and a fix hint.",
        discussion: "Exit status: 0 when valid, 1 when the file has errors, 2 on usage errors."
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    func run() throws {
        do {
            let c = try ConfigLoader.load(path: config)
            let peers = c.effectivePeers
            print("\(config): OK — node \(c.nodeName), AS \(c.asNumber), router ID \(c.routerID), "
                  + "\(peers.count) peer\(peers.count == 1 ? "" : "s"), \(c.blocks.count) block\(c.blocks.count == 1 ? "" : "s")")
        } catch {
            FileHandle.standardError.write(Data((error.description + "\n").utf8))
            let n = error.errors.count
            FileHandle.standardError.write(Data("\(config): \(n) error\(n == 1 ? "" : "s")\n".utf8))
            throw ExitCode(1)
        }
    }
}
