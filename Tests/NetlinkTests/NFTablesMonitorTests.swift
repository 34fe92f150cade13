import Foundation
import NFTables
import Testing
@testable import Netlink

/// Calls of `onForeignChange`, thread-safe.
final class ForeignChanges: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [(pid: UInt32?, process: String?)] = []
    func append(_ pid: UInt32?, _ process: String?) { lock.lock(); calls.append((pid, process)); lock.unlock() }
    var all: [(pid: UInt32?, process: String?)] { lock.lock(); defer { lock.unlock() }; return calls }
    func wait(seconds: Double, _ predicate: ((pid: UInt32?, process: String?)) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if all.contains(where: predicate) { return true }
            usleep(5_000)
        }
        return all.contains(where: predicate)
    }
}

@Suite(.enabled(if: runningAsRoot, "\(needsRoot)"), .serialized)
struct NFTablesMonitorTests {
    /// An `nft` process writing the watched table is reported with its pid and name, within 1 s.
    @Test func aChangeByAnotherProcessIsReportedWithItsPid() throws {
        let table = "terntestmon\(getpid())"
        let changes = ForeignChanges()
        let monitor = try NFTablesMonitor(family: "inet", table: table, queue: DispatchQueue(label: "mon")) { changes.append($0, $1) }
        monitor.start()
        defer { monitor.stop(); _ = try? run("nft", "delete", "table", "inet", table) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/nft")
        p.arguments = ["add table inet \(table); add chain inet \(table) c"]
        let started = Date()
        try p.run()
        let pid = UInt32(p.processIdentifier)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(changes.wait(seconds: 1) { $0.pid == pid })
        let latency = Date().timeIntervalSince(started)
        #expect(changes.all.first?.process == "nft")
        #expect(changes.all.count == 1)   // one transaction, one report
        print("NFTablesMonitor: foreign change reported \(Int(latency * 1000)) ms after starting nft")

        // Deleting the table from another process is reported too.
        #expect(try run("nft", "delete", "table", "inet", table).status == 0)
        #expect(changes.wait(seconds: 1) { _ in changes.all.count >= 2 })
    }

    /// This process's own changes (through libnftables, on any thread) are not reported; nor are
    /// other processes' changes to other tables.
    @Test func ownChangesAndOtherTablesAreNotReported() throws {
        let table = "terntestmon\(getpid())own"
        let other = "terntestmon\(getpid())other"
        let changes = ForeignChanges()
        let monitor = try NFTablesMonitor(family: "inet", table: table, queue: DispatchQueue(label: "mon")) { changes.append($0, $1) }
        monitor.start()
        defer {
            monitor.stop()
            _ = try? run("nft", "delete", "table", "inet", table)
            _ = try? run("nft", "delete", "table", "inet", other)
        }
        let nft = try NFTContext()
        try nft.run("add table inet \(table)\nadd chain inet \(table) c\nadd set inet \(table) s { type ipv4_addr; }")
        // From another thread of this process: the kernel reports the thread's id.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? nft.run("add element inet \(table) s { 10.0.0.1 }")
            done.signal()
        }
        done.wait()
        #expect(try run("nft", "add", "table", "inet", other).status == 0)
        #expect(try run("nft", "add", "table", "ip", table).status == 0)   // same name, other family
        defer { _ = try? run("nft", "delete", "table", "ip", table) }
        // A marker change after the others: once it is reported, the earlier ones were read.
        #expect(try run("nft", "add", "chain", "inet", table, "marker").status == 0)
        #expect(changes.wait(seconds: 1) { $0.process == "nft" })
        usleep(100_000)
        #expect(changes.all.count == 1, "\(changes.all)")
    }

    /// Events the kernel could not queue (a tiny receive buffer, nobody reading) are reported as
    /// lost: `nil, nil`, even when the changes were this process's own.
    @Test func lostEventsAreReportedWithNil() throws {
        let table = "terntestmon\(getpid())lost"
        let changes = ForeignChanges()
        let monitor = try NFTablesMonitor(family: "inet", table: table, queue: DispatchQueue(label: "mon"),
                                          receiveBufferSize: 4096) { changes.append($0, $1) }
        defer { monitor.stop(); _ = try? run("nft", "delete", "table", "inet", table) }
        let nft = try NFTContext()
        try nft.run("add table inet \(table)\nadd set inet \(table) s { type ipv4_addr; }")
        for i in 0..<200 { try nft.run("add element inet \(table) s { 10.0.\(i / 250).\(i % 250 + 1) }") }
        monitor.start()
        #expect(changes.wait(seconds: 1) { $0.pid == nil && $0.process == nil })
    }

    /// The monitor's own NETLINK_NETFILTER socket is found as this process's by its port id
    /// alone (the path for a writer thread that has exited); an unused port id is not.
    @Test func ownSocketsAreFoundByPortID() throws {
        let monitor = try NFTablesMonitor(family: "inet", table: "t", queue: DispatchQueue(label: "mon")) { _, _ in }
        var own = OwnNetlinkPorts()
        let mine = own.isOwn(tid: nil, portID: monitor.socket.portID)
        #expect(mine)
        #expect(own.known.contains(monitor.socket.portID))
        let unused = own.isOwn(tid: nil, portID: 0x7FFF_FFF0)
        let kernel = own.isOwn(tid: nil, portID: 0)
        #expect(!unused && !kernel)
    }

    /// The policy manager's table size: our own 10,000-element, 500-chain transaction, then a
    /// foreign `nft delete table` of it (12,500+ delete events in one transaction).
    @Test func aForeignDeleteOfABigTableIsReportedWithinOneSecond() throws {
        let table = "terntestmon\(getpid())big"
        let changes = ForeignChanges()
        let monitor = try NFTablesMonitor(family: "inet", table: table, queue: DispatchQueue(label: "mon")) { changes.append($0, $1) }
        monitor.start()
        defer { monitor.stop(); _ = try? run("nft", "delete", "table", "inet", table) }
        var text = "add table inet \(table)\nadd set inet \(table) ips { type ipv4_addr; }\n"
        for i in 0..<10_000 { text += "add element inet \(table) ips { 10.\(i >> 16).\((i >> 8) & 255).\(i & 255) }\n" }
        for c in 0..<500 {
            text += "add chain inet \(table) pol\(c)\n"
            for r in 0..<5 { text += "add rule inet \(table) pol\(c) ip saddr @ips tcp dport \(1000 + r) accept\n" }
        }
        try NFTContext().run(text)
        usleep(300_000)
        let ownReports = changes.all.count   // 0, or a lost-events report if the buffer overflowed
        let started = Date()
        #expect(try run("nft", "delete", "table", "inet", table).status == 0)
        #expect(changes.wait(seconds: 1) { _ in changes.all.count > ownReports })
        let latency = Date().timeIntervalSince(started)
        let report = changes.all.dropFirst(ownReports).first
        print("NFTablesMonitor: own 10k-element transaction gave \(ownReports) report(s) \(changes.all.prefix(ownReports)); "
              + "foreign delete of the big table reported after \(Int(latency * 1000)) ms as \(String(describing: report))")
    }

    @Test func unknownFamilyThrows() {
        #expect(throws: NetlinkError.self) {
            _ = try NFTablesMonitor(family: "inet4", table: "t", queue: .main) { _, _ in }
        }
    }
}

struct NFTablesMessageTests {
    func message(_ type: UInt8, family: UInt8 = 1, _ attrs: [(UInt16, [UInt8])]) -> NetlinkMessage {
        var body: [UInt8] = [family, 0, 0, 0]
        for (t, v) in attrs { body.appendAttribute(t, v) }
        return NetlinkMessage(type: 10 << 8 | UInt16(type), payload: body)
    }

    @Test func objectMessagesNameTheirTable() {
        // NFT_MSG_NEWCHAIN = 3, NFT_MSG_DELSETELEM = 14 (enum nf_tables_msg_types).
        #expect(NFTablesMessage.parse(message(3, [(1, Array("tern\0".utf8)), (3, Array("c\0".utf8))]))
                == .touched(family: 1, table: "tern"))
        #expect(NFTablesMessage.parse(message(14, family: 2, [(1, Array("t".utf8))])) == .touched(family: 2, table: "t"))
        #expect(NFTablesMessage.tableAttributes.allSatisfy { $0 == 1 })
    }

    @Test func newGenCarriesIDPidAndName() {
        // NFT_MSG_NEWGEN = 15: NFTA_GEN_ID, NFTA_GEN_PROC_PID (both __be32), NFTA_GEN_PROC_NAME.
        let m = message(15, family: 0, [(1, [0, 0, 1, 2]), (2, [0, 0, 0x30, 0x39]), (3, Array("nft\0".utf8))])
        #expect(NFTablesMessage.parse(m) == .generation(id: 258, pid: 12345, process: "nft", portID: 0))
    }

    @Test func otherSubsystemsAndShortPayloadsAreIgnored() {
        #expect(NFTablesMessage.parse(NetlinkMessage(type: 1 << 8 | 3, payload: [1, 0, 0, 0])) == nil)
        #expect(NFTablesMessage.parse(NetlinkMessage(type: 10 << 8 | 3, payload: [1, 0])) == nil)
        #expect(NFTablesMessage.parse(message(3, [])) == nil)   // no table attribute
    }
}
