import ArgumentParser
import Foundation

/// The `tern` command: daemon, CLI and debugging tools.
@main
struct Tern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "Tern: a Calico-style vRouter — BGP-4 speaker and dataplane agent.",
        subcommands: [RunCommand.self, CheckCommand.self, StatusCommand.self, RoutesCommand.self, BFDCommand.self, WorkloadCommand.self, PolicyCommand.self, FIBCommand.self, DecodeCommand.self,
                      IPAMCommand.self, ApplyCommand.self, CreateCommand.self, ReplaceCommand.self, DeleteCommand.self, GetCommand.self, LabelCommand.self]
    )

    /// Runs the command; usage errors exit with status 2 (ArgumentParser's default is 64),
    /// so scripts can tell "bad invocation" from "malformed input" (1).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}
