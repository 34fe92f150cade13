import BFD
import EventLoop
import Foundation
import IPCore
import Logging
import Model
@testable import Speaker
import Testing

/// The BFD driver's RFC 5883 multihop and RFC 5880 §6.7.4 authentication over real UDP on
/// 127.0.0.x (no root): multihop sessions use their own port (4784 in production), accept
/// any TTL unless a minimum is configured, and keep apart from single hop; SHA1 sessions
/// come Up with the same key and never with another, the drops counted.
@Suite(.serialized) struct BFDMultihopAuthTests {
    static let port = UInt16(30000 + Int((getpid() + 57) % 9000))
    static let multihopPort = port + 1

    final class Driver: @unchecked Sendable {
        let loop = EventLoop(label: "bfd-mh-test")
        let manager: BFDManager

        init(_ ip: String, peer: String, settings: BFDSettings, multihop: Bool) {
            var logger = Logger(label: ip)
            logger.logLevel = .critical
            manager = BFDManager(loop: loop, logger: logger, listenAddress: IPAddress(ip)!,
                                 listenPort: BFDMultihopAuthTests.port, peerPort: BFDMultihopAuthTests.port,
                                 multihopListenPort: BFDMultihopAuthTests.multihopPort, multihopPeerPort: BFDMultihopAuthTests.multihopPort)
            loop.sync { manager.add(IPAddress(peer)!, settings: settings, multihop: multihop) }
        }

        func status() -> BFDSessionStatus? { loop.sync { manager.statuses().first } }
        func stop() { loop.sync { manager.stop() } }

        /// Sends `bytes` from `from` with this TTL to this driver's port.
        func inject(_ bytes: [UInt8], from: String, to: String, port: UInt16, ttl: Int32) throws {
            try loop.sync {
                let s = try UDPSocket(bind: SocketAddress(parsing: from, port: 0), ttl: ttl, receive: false, on: loop)
                s.send(bytes, to: try SocketAddress(parsing: to, port: port))
                s.close()
            }
        }
    }

    static func eventually(_ seconds: Double, _ check: () -> Bool) -> Bool {
        BGPSpeakerLoopbackTests.eventually(seconds, check)
    }

    static let downPacket = BFDControlPacket(state: .down, detectMult: 3, myDiscriminator: 7, yourDiscriminator: 0,
                                             desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 100_000)

    @Test func multihopDriversReachUpOnTheMultihopPort() throws {
        let settings = try BFDSettings(minimumRecvInterval: 100, minimumSendInterval: 100, multiplier: 3, multihop: true)
        let a = Driver("127.0.0.71", peer: "127.0.0.72", settings: settings, multihop: true)
        let b = Driver("127.0.0.72", peer: "127.0.0.71", settings: settings, multihop: true)
        defer { a.stop(); b.stop() }
        #expect(Self.eventually(5) { a.status()?.state == .up && b.status()?.state == .up })
        #expect(a.status()?.multihop == true && a.status()?.dropped == 0)
        let sa = try #require(a.status()), sb = try #require(b.status())
        #expect(sa.remoteDiscriminator == sb.localDiscriminator && sb.remoteDiscriminator == sa.localDiscriminator)
    }

    /// Multihop accepts TTL 64 (a BIRD multihop packet several hops away) by default; a
    /// single hop packet (port 3784, open for another, single hop session) for the
    /// multihop session is dropped.
    @Test func multihopAcceptsAnyTTLByDefault() throws {
        let settings = try BFDSettings(multihop: true)
        let b = Driver("127.0.0.74", peer: "127.0.0.73", settings: settings, multihop: true)
        defer { b.stop() }
        try b.loop.sync { b.manager.add(IPAddress("127.0.0.79")!, settings: try BFDSettings(), multihop: false) }
        #expect(b.loop.sync { b.manager.peers.count } == 2)
        try b.inject(Self.downPacket.encode(), from: "127.0.0.73", to: "127.0.0.74", port: Self.port, ttl: 255)
        #expect(Self.eventually(2) { b.status()?.dropped == 1 })
        #expect(b.status()?.state == .down && b.status()?.lastDrop?.contains("multihop session") == true)
        try b.inject(Self.downPacket.encode(), from: "127.0.0.73", to: "127.0.0.74", port: Self.multihopPort, ttl: 64)
        #expect(Self.eventually(2) { b.status()?.state == .`init` })
        #expect(b.status()?.remoteDiscriminator == 7)
    }

    /// With `minimumTTL: 254` (two hops) TTL 253 is dropped and 254 accepted (RFC 5883 §5).
    @Test func multihopMinimumTTL() throws {
        let settings = try BFDSettings(multihop: true, minimumTTL: 254)
        let b = Driver("127.0.0.76", peer: "127.0.0.75", settings: settings, multihop: true)
        defer { b.stop() }
        try b.inject(Self.downPacket.encode(), from: "127.0.0.75", to: "127.0.0.76", port: Self.multihopPort, ttl: 253)
        #expect(Self.eventually(2) { b.status()?.dropped == 1 })
        #expect(b.status()?.state == .down && b.status()?.lastDrop?.contains("minimum 254") == true)
        try b.inject(Self.downPacket.encode(), from: "127.0.0.75", to: "127.0.0.76", port: Self.multihopPort, ttl: 254)
        #expect(Self.eventually(2) { b.status()?.state == .`init` })
    }

    /// A single hop session does not take packets on the multihop port.
    @Test func singleHopIgnoresTheMultihopPort() throws {
        let b = Driver("127.0.0.78", peer: "127.0.0.77", settings: try BFDSettings(), multihop: false)
        defer { b.stop() }
        // No multihop socket is open for a single hop session: nothing arrives, nothing changes.
        try b.inject(Self.downPacket.encode(), from: "127.0.0.77", to: "127.0.0.78", port: Self.multihopPort, ttl: 255)
        try b.inject(Self.downPacket.encode(), from: "127.0.0.77", to: "127.0.0.78", port: Self.port, ttl: 254)
        #expect(Self.eventually(2) { b.status()?.dropped == 1 })
        #expect(b.status()?.state == .down && b.status()?.multihop == false)
    }

    struct AuthCase: Sendable, CustomTestStringConvertible {
        var name: String
        var a: BFDAuthenticationSettings?
        var b: BFDAuthenticationSettings?
        var up: Bool
        var testDescription: String { name }
    }

    static func auth(_ t: BFDAuthenticationSettings.AuthType, _ key: String, id: Int = 1) -> BFDAuthenticationSettings {
        try! BFDAuthenticationSettings(type: t, keyID: id, key: Array(key.utf8))
    }

    static let authCases: [AuthCase] = [
        AuthCase(name: "keyed SHA1, same key", a: auth(.keyedSHA1, "k1"), b: auth(.keyedSHA1, "k1"), up: true),
        AuthCase(name: "meticulous, same key", a: auth(.meticulousKeyedSHA1, "k1"), b: auth(.meticulousKeyedSHA1, "k1"), up: true),
        AuthCase(name: "keyed SHA1, wrong key", a: auth(.keyedSHA1, "k1"), b: auth(.keyedSHA1, "k2"), up: false),
        AuthCase(name: "wrong key ID", a: auth(.keyedSHA1, "k1", id: 1), b: auth(.keyedSHA1, "k1", id: 2), up: false),
        AuthCase(name: "one side without", a: auth(.keyedSHA1, "k1"), b: nil, up: false),
    ]

    @Test(arguments: authCases.indices) func authentication(_ i: Int) throws {
        let c = Self.authCases[i]
        let ia = "127.0.0.\(110 + 2 * i)", ib = "127.0.0.\(111 + 2 * i)"
        let a = Driver(ia, peer: ib, settings: try BFDSettings(authentication: c.a), multihop: false)
        let b = Driver(ib, peer: ia, settings: try BFDSettings(authentication: c.b), multihop: false)
        defer { a.stop(); b.stop() }
        if c.up {
            #expect(Self.eventually(5) { a.status()?.state == .up && b.status()?.state == .up }, "\(c.name)")
            #expect(a.status()?.authenticationDropped == 0 && a.status()?.authentication?.keyID == c.a?.keyID)
        } else {
            // a receives b's packets (1 s apart while not Up) and drops every one.
            #expect(Self.eventually(4) { (a.status()?.authenticationDropped ?? 0) >= 2 }, "\(String(describing: a.status()))")
            #expect(a.status()?.state == .down && b.status()?.state != .up, "\(c.name)")
            #expect(a.status()?.lastDrop != nil)
        }
    }

    /// A new key, type or hop mode makes a new session (new discriminator, AdminDown to the
    /// peer first); new timers alone keep it (negotiated in place).
    @Test func changedAuthenticationOrHopsRestartTheSessionTimersDoNot() throws {
        let b = Driver("127.0.0.81", peer: "127.0.0.80", settings: try BFDSettings(authentication: Self.auth(.keyedSHA1, "one")), multihop: false)
        defer { b.stop() }
        let peer = IPAddress("127.0.0.80")!
        let d0 = try #require(b.status()).localDiscriminator
        try b.loop.sync { b.manager.add(peer, settings: try BFDSettings(minimumRecvInterval: 200, authentication: Self.auth(.keyedSHA1, "one"))) }
        #expect(b.status()?.localDiscriminator == d0 && b.status()?.authentication?.type == .keyedSHA1)
        try b.loop.sync { b.manager.add(peer, settings: try BFDSettings(minimumRecvInterval: 200, authentication: Self.auth(.keyedSHA1, "two"))) }
        let d1 = try #require(b.status()).localDiscriminator
        #expect(d1 != d0)
        try b.loop.sync { b.manager.add(peer, settings: try BFDSettings(minimumRecvInterval: 200, authentication: Self.auth(.keyedSHA1, "two")), multihop: true) }
        let s = try #require(b.status())
        #expect(s.localDiscriminator != d1 && s.multihop)
        try b.loop.sync { b.manager.add(peer, settings: try BFDSettings(minimumRecvInterval: 200), multihop: true) }
        #expect(b.status()?.authentication == nil && b.loop.sync { b.manager.peers.count } == 1)
    }
}
