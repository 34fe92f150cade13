import Foundation
import Testing
@testable import EventLoop

/// ``UDPSocket`` over 127.0.0.1: datagrams arrive with their source and the TTL they were
/// sent with (IP_RECVTTL), as the BFD driver's RFC 5881 §5 check needs; IPv6 the same with
/// the hop limit (IPV6_RECVHOPLIMIT).
@Suite("UDP socket") struct UDPSocketTests {
    final class Inbox: @unchecked Sendable {
        private let lock = NSLock()
        private var _got: [([UInt8], SocketAddress, Int?)] = []
        func add(_ b: [UInt8], _ s: SocketAddress, _ t: Int?) { lock.withLock { _got.append((b, s, t)) } }
        var got: [([UInt8], SocketAddress, Int?)] { lock.withLock { _got } }
    }

    func roundTrip(_ host: String) throws {
        let loop = EventLoop(label: "udp-test")
        let inbox = Inbox()
        let any = try SocketAddress(parsing: host, port: 0)
        let rx = try loop.sync { () throws -> UDPSocket in
            let rx = try UDPSocket(bind: any, on: loop)
            rx.onDatagram = { inbox.add($0, $1, $2) }
            return rx
        }
        let tx255 = try loop.sync { () throws -> UDPSocket in try UDPSocket(bind: any, ttl: 255, receive: false, on: loop) }
        let tx7 = try loop.sync { () throws -> UDPSocket in try UDPSocket(bind: any, ttl: 7, receive: false, on: loop) }
        defer { loop.sync { rx.close(); tx255.close(); tx7.close() } }
        #expect(rx.localAddress.port != 0)
        loop.sync {
            #expect(tx255.send([1, 2, 3], to: rx.localAddress) == nil)
            #expect(tx7.send([4], to: rx.localAddress) == nil)
        }
        let end = Date().addingTimeInterval(2)
        while inbox.got.count < 2 && Date() < end { usleep(10_000) }
        let got = inbox.got
        #expect(got.count == 2)
        #expect(got.first?.0 == [1, 2, 3] && got.first?.1 == tx255.localAddress && got.first?.2 == 255)
        #expect(got.last?.0 == [4] && got.last?.1 == tx7.localAddress && got.last?.2 == 7)
    }

    @Test func ipv4DatagramsCarryTheirTTL() throws { try roundTrip("127.0.0.1") }

    @Test func ipv6DatagramsCarryTheirHopLimit() throws { try roundTrip("::1") }
}
