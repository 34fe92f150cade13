import IPCore
import Foundation
import Testing
@testable import Netlink

/// Kernel tests need root (network namespaces, route changes).
let runningAsRoot = getuid() == 0
let needsRoot = "needs root to create network namespaces (run the suite as root)"

/// Runs a command, returns its exit status and combined output.
@discardableResult
func run(_ args: String...) throws -> (status: Int32, output: String) { try runArgs(args) }

/// `run` with an argument array.
@discardableResult
func runArgs(_ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A scratch network namespace `tnl-<pid>-<random>`; call `remove()` in a defer.
struct TestNamespace {
    let name: String
    init() throws {
        name = "tnl-\(getpid())-\(String(UInt32.random(in: 0...0xFFFFFF), radix: 16))"
        let r = try run("ip", "netns", "add", name)
        guard r.status == 0 else { throw NetlinkError(code: EPERM, operation: "ip netns add \(name): \(r.output)") }
    }
    func remove() { _ = try? run("ip", "netns", "del", name) }
}

/// A veth pair inside a namespace, both ends up, made with our own builders.
struct VethPair {
    let a: Link
    let b: Link
    init(_ sock: NetlinkSocket, _ nameA: String, _ nameB: String) throws {
        try sock.perform(LinkMessage.createVeth(name: nameA, peerName: nameB))
        guard let a = try sock.link(named: nameA), let b = try sock.link(named: nameB) else {
            throw NetlinkError(code: ENODEV, operation: "find \(nameA)/\(nameB)")
        }
        try sock.perform(LinkMessage.setUp(index: a.index))
        try sock.perform(LinkMessage.setUp(index: b.index))
        self.a = a
        self.b = b
    }
}

/// Thread-safe event log for monitor tests.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [NetlinkEvent] = []
    func append(_ e: NetlinkEvent) { lock.lock(); events.append(e); lock.unlock() }
    var all: [NetlinkEvent] { lock.lock(); defer { lock.unlock() }; return events }

    /// Polls until `predicate` holds for some event or the deadline passes.
    func wait(seconds: Double = 5, _ predicate: (NetlinkEvent) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if all.contains(where: predicate) { return true }
            usleep(10_000)
        }
        return all.contains(where: predicate)
    }
}

/// Our test protocol number (like Felix's, one number marks what we own).
let ourProto: RouteProtocol = 80

func host32(_ i: Int) -> IPPrefix {
    .host(.v4(IPv4Address(0x0A00_0000 | UInt32(100 + (i >> 16)) << 16 | UInt32(i & 0xFFFF))))
}
