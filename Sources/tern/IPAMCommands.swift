import ArgumentParser
import TernAPI

/// `tern ipam allocate|release`: the running daemon's IPAM (what the CNI plugin calls), for
/// operators and tests.
struct IPAMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipam",
        abstract: "Allocate or release workload addresses from this node's IPAM blocks (needs a datastore).",
        subcommands: [Allocate.self, Release.self, IPAMShowCommand.self]
    )

    struct Allocate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "allocate",
            abstract: "An address for a handle (the same handle again: the same address).")
        @OptionGroup var options: SocketOptions
        @Option(name: .long, help: "Who holds the address, e.g. <network>.<container ID>.") var handle: String
        @Flag(name: .long, help: "An IPv6 address instead of IPv4.") var ipv6 = false
        @Option(name: .long, help: "A specific address.") var ip: String?

        func run() throws {
            let r = try options.send(.init(.ipamAllocate, ipam: .init(handle: handle, family: ipv6 ? "ipv6" : "ipv4", address: ip)))
            let a = r.ipam ?? []
            if options.json { try options.printJSON(a); return }
            for x in a { print("\(x.address) (block \(x.block ?? "-")\(x.borrowed == true ? ", borrowed" : ""))") }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "release", abstract: "Free every address of a handle.")
        @OptionGroup var options: SocketOptions
        @Option(name: .long, help: "The handle.") var handle: String

        func run() throws {
            let r = try options.send(.init(.ipamRelease, ipam: .init(handle: handle)))
            if options.json { try options.printJSON(r.ipam ?? []); return }
            print((r.ipam ?? []).isEmpty ? "nothing held by \(handle)" : "released \((r.ipam ?? []).map(\.address).joined(separator: ", "))")
        }
    }
}
