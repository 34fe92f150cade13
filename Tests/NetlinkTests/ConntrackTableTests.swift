import Foundation
import IPCore
import NFTables
import Testing
@testable import Netlink

/// A long-running helper process (python3), killed by `stop()`.
final class Helper {
    let process = Process()
    let output = Pipe()
    init(_ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = args
        process.standardOutput = output
        try process.run()
    }
    /// The first line the helper prints.
    func firstLine() -> String {
        var bytes: [UInt8] = []
        while let b = try? output.fileHandleForReading.read(upToCount: 1), let c = b.first, c != 10 { bytes.append(c) }
        return String(decoding: bytes, as: UTF8.self)
    }
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"), .serialized)
struct ConntrackTableTests {
    /// A TCP connection from this namespace over a veth to a child namespace: its entry is in
    /// this namespace's table (the local end's output hook tracks it).
    @Test func dumpSeesAConnectionAndDeleteRemovesIt() throws {
        let ns = try TestNamespace()
        let tag = getpid() % 10_000
        let subnet = 100 + Int(getpid() % 100)
        let (hostIP, podIP, port) = ("10.198.\(subnet).1", "10.198.\(subnet).2", 5555)
        let hostIf = "tcta\(tag)", podIf = "tctb\(tag)"
        let table = "terntestct\(getpid())"
        var helpers: [Helper] = []
        defer {
            helpers.forEach { $0.stop() }
            _ = try? run("ip", "link", "del", hostIf)
            _ = try? run("nft", "delete", "table", "inet", table)
            ns.remove()
        }
        for cmd in [["ip", "link", "add", hostIf, "type", "veth", "peer", "name", podIf],
                    ["ip", "link", "set", podIf, "netns", ns.name],
                    ["ip", "addr", "add", "\(hostIP)/30", "dev", hostIf],
                    ["ip", "link", "set", hostIf, "up"],
                    ["ip", "-n", ns.name, "addr", "add", "\(podIP)/30", "dev", podIf],
                    ["ip", "-n", ns.name, "link", "set", podIf, "up"],
                    ["ip", "-n", ns.name, "link", "set", "lo", "up"]] {
            let r = try runArgs(cmd)
            try #require(r.status == 0, "\(cmd.joined(separator: " ")): \(r.output)")
        }
        // Conntrack hooks are registered per namespace only when a ruleset uses them.
        try NFTContext().run("""
            add table inet \(table)
            add chain inet \(table) out { type filter hook output priority 0; policy accept; }
            add rule inet \(table) out ct state new counter
            """)
        helpers.append(try Helper(["ip", "netns", "exec", ns.name, "python3", "-c", """
            import socket, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(('\(podIP)', \(port))); s.listen(); print('ready', flush=True)
            c, _ = s.accept(); time.sleep(60)
            """]))
        #expect(helpers[0].firstLine() == "ready")
        let client = try Helper(["python3", "-c", """
            import socket, time
            s = socket.create_connection(('\(podIP)', \(port)), timeout=5)
            print(s.getsockname()[1], flush=True); time.sleep(60)
            """])
        helpers.append(client)
        let sourcePort = try #require(UInt16(client.firstLine()))

        let table4 = try ConntrackTable()
        let entries = try table4.dump()
        let want = ConntrackEntry(proto: 6, source: IPAddress(hostIP)!, destination: IPAddress(podIP)!,
                                  sourcePort: sourcePort, destinationPort: UInt16(port))
        #expect(entries.contains(want), "\(entries.count) entries, none \(want)")
        let cli = try run("conntrack", "-L", "-p", "tcp", "-d", podIP, "--dport", "\(port)")
        #expect(cli.output.contains("sport=\(sourcePort)"))

        let clock = ContinuousClock()
        var deleted = 0
        let took = try clock.measure { deleted = try table4.delete([want]) }
        #expect(deleted == 1)
        let after = try run("conntrack", "-L", "-p", "tcp", "-d", podIP, "--dport", "\(port)")
        #expect(!after.output.contains("sport=\(sourcePort)"), "\(after.output)")
        #expect(try !table4.dump().contains(want))

        // Already gone, and never there: not errors, nothing deleted.
        let missing = ConntrackEntry(proto: 17, source: IPAddress("192.0.2.1")!, destination: IPAddress("192.0.2.2")!,
                                     sourcePort: 1, destinationPort: 2)
        #expect(try table4.delete([want, missing]) == 0)
        #expect(try table4.delete([]) == 0)

        // IPv6 (UDP over ::1) and ICMP (a ping: the tuple carries id, type, code) in the same dump.
        _ = try runArgs(["python3", "-c", """
            import socket
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('::1', 45454)); s.sendto(b'x', ('::1', 45455))
            """])
        _ = try runArgs(["ping", "-c", "1", "-W", "1", "127.0.0.78"])
        let more = try table4.dump()
        let udp6 = ConntrackEntry(proto: 17, source: IPAddress("::1")!, destination: IPAddress("::1")!,
                                  sourcePort: 45454, destinationPort: 45455)
        #expect(more.contains(udp6), "\(more)")
        let icmp = try #require(more.first { $0.proto == 1 && $0.destination == IPAddress("127.0.0.78")! })
        #expect(icmp.icmpType == 8 && icmp.family == .v4)
        #expect(try table4.delete([udp6, icmp]) == 2)
        #expect(try table4.dump().filter { $0 == udp6 || $0 == icmp }.isEmpty)
        // A table opened inside the child namespace sees that namespace's (empty) table.
        #expect(try ConntrackTable(namespace: ns.name).dump().allSatisfy { $0.source != IPAddress(hostIP)! })
        print("ConntrackTable: dump of \(entries.count) entries; delete of one entry \(took)")
    }

    @Test func theDeleteRequestAlwaysCarriesATuple() {
        let e = ConntrackEntry(proto: 6, source: IPAddress("fd00::1")!, destination: IPAddress("fd00::2")!,
                               sourcePort: 1000, destinationPort: 80, zone: 7)
        let r = ConntrackMessage.delete(e)
        #expect(r.type == 1 << 8 | 2)   // NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE
        #expect(r.body[0] == 10)        // AF_INET6
        // Round trip through the dump parser (a CT_NEW message has the same attributes).
        let back = ConntrackMessage.parse(NetlinkMessage(type: 1 << 8 | 0, payload: r.body))
        #expect(back == e)
    }
}
