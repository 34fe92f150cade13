import ArgumentParser
import Config
import Daemon
import EventLoop
import Foundation
import Logging

/// `tern run --config FILE`: the daemon, in the foreground.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the Tern daemon in the foreground (logs to stderr).",
        discussion: """
            SIGHUP reloads the configuration (an invalid file is rejected and the running one
            stays); SIGTERM sends Cease 2 (administrative shutdown) to every peer and exits.
            """
    )

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "Log format: text or json (overrides logFormat in the file).")
    var logFormat: String?

    func validate() throws {
        if let f = logFormat, LogFormat(rawValue: f) == nil { throw ValidationError("--log-format must be text or json") }
    }

    func run() throws {
        let cfg: TernConfig
        do {
            cfg = try HostIdentity.complete(try ConfigLoader.load(path: config))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n\(config): not started\n".utf8))
            throw ExitCode(1)
        }
        LogTime.bootstrap(format: logFormat ?? cfg.logFormat.rawValue, level: Logger.Level(rawValue: cfg.logLevel.rawValue) ?? .info)
        let logger = Logger(label: "tern")
        let loop = EventLoop(label: "tern.loop")
        let speaker = Node(config: cfg, configPath: config, loop: loop, logger: logger)
        speaker.onExit = { code in Foundation.exit(code) }
        let failure: String? = loop.sync {
            do {
                try speaker.start()
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure {
            logger.critical("tern could not start: \(failure)")
            throw ExitCode(1)
        }
        dispatchMain()
    }
}
