import ArgumentParser

/// The `tern` command: daemon, CLI and debugging tools.
@main
struct Tern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tern",
        abstract: "Tern: a Calico-style vRouter — BGP-4 speaker and dataplane agent.",
        subcommands: []
    )
}
