import Foundation
import Testing
@testable import Netlink

/// Not a timed test: a driver that prints install rates for 100k /32 routes, run with
/// `TERN_NETLINK_BENCH=1 swift test --scratch-path .build-nl --filter BatchRateDriver`.
/// It asserts only that every route got installed and removed.
@Suite(.enabled(if: runningAsRoot && ProcessInfo.processInfo.environment["TERN_NETLINK_BENCH"] == "1",
                "set TERN_NETLINK_BENCH=1 (and run as root) to print batch install rates"))
struct BatchRateDriver {
    @Test func hundredThousandHostRoutes() throws {
        let n = 100_000
        let ns = try TestNamespace()
        defer { ns.remove() }
        let sock = try NetlinkSocket(namespace: ns.name)
        let pair = try VethPair(sock, "t0", "t0p")
        let routes = (0..<n).map { Route(destination: host32($0), proto: ourProto, scope: .link, outputInterface: pair.a.index) }
        func ours() throws -> Int { try sock.routes(family: .v4).filter { $0.proto == ourProto }.count }
        func timed(_ label: String, _ body: () throws -> Void) rethrows {
            let t0 = Date()
            try body()
            let s = Date().timeIntervalSince(t0)
            print("netlink-bench \(label): \(n) routes in \(String(format: "%.3f", s)) s = \(Int(Double(n) / s)) routes/s")
        }
        let adds = routes.map { RouteMessage.new($0) }
        let deletes = routes.map { RouteMessage.delete($0) }
        for (label, ack) in [("apply with ACK", true), ("apply without ACK", false)] {
            var results: [Result<Void, NetlinkError>] = []
            timed(label) { results = sock.apply(adds, acknowledge: ack) }
            #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
            #expect(try ours() == n)
            timed("\(label) (delete)") { results = sock.apply(deletes, acknowledge: ack) }
            #expect(try ours() == 0)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(ns.name).batch")
        try routes.map { "route add \($0.destination) dev t0 scope link proto 80" }.joined(separator: "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        var status: Int32 = -1
        try timed("ip -batch") { status = try run("ip", "-n", ns.name, "-batch", file.path).status }
        #expect(status == 0)
        #expect(try ours() == n)
    }
}
