import Foundation
import IPCore
import Model
import Testing
@testable import Config

/// Session protection keys: `password` / `nodeMeshPassword` (RFC 2385, from a file),
/// `ttlSecurity` (RFC 5082), `maxPrefixes` (RFC 4486): read, defaulted, errors with the
/// file's place, and diffed (a changed key restarts the session).
@Suite struct ProtectionConfigTests {
    /// A fresh directory with `files` (name → content).
    static func dir(_ files: [String: String]) throws -> String {
        let d = FileManager.default.temporaryDirectory.appendingPathComponent("tern-pw-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: d + "/" + name, atomically: true, encoding: .utf8) }
        return d
    }

    static func peerWithPassword(_ path: String) -> String {
        withRequired("""
            peers:
              - address: 192.168.77.254
                asNumber: 64513
                password:
                  file: \(path)

            """)
    }

    @Test func passwordIsTheFileLessOneTrailingNewline() throws {
        let d = try Self.dir(["a": "s3cret\n", "b": "two\r\n", "c": "keep\n\n", "d": "none"])
        for (name, want) in [("a", "s3cret"), ("b", "two"), ("c", "keep\n"), ("d", "none")] {
            let c = try ConfigLoader.parse(yaml: Self.peerWithPassword(d + "/" + name))
            #expect(c.peers[0].password == Array(want.utf8), "\(name)")
        }
    }

    @Test func relativePasswordPathIsFromTheConfigFile() throws {
        let d = try Self.dir(["k": "rel\n"])
        try Self.peerWithPassword("k").write(toFile: d + "/tern.yaml", atomically: true, encoding: .utf8)
        let c = try ConfigLoader.load(path: d + "/tern.yaml")
        #expect(c.peers[0].password == Array("rel".utf8))
    }

    @Test func passwordFileErrorsNameThePathAndPlace() throws {
        let d = try Self.dir(["empty": "\n", "long": String(repeating: "x", count: 81)])
        let missing = try onlyError(Self.peerWithPassword("/nonexistent/tern.key"))
        #expect(missing.keyPath == "peers[0].password.file")
        #expect(missing.line == 8 && missing.column == 13)
        #expect(missing.message == "the password file /nonexistent/tern.key does not exist")
        let empty = try onlyError(Self.peerWithPassword(d + "/empty"))
        #expect(empty.message == "the password file \(d)/empty is empty" && empty.line == 8)
        let long = try onlyError(Self.peerWithPassword(d + "/long"))
        #expect(long.message.contains("is 81 bytes; a TCP MD5 key is at most 80"))
        let noFile = try onlyError(withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, password: {}}\n"))
        #expect(noFile.keyPath == "peers[0].password.file" && noFile.message.contains("missing"))
    }

    @Test func eightyByteKeyIsAccepted() throws {
        let d = try Self.dir(["k": String(repeating: "k", count: 80) + "\n"])
        let c = try ConfigLoader.parse(yaml: Self.peerWithPassword(d + "/k"))
        #expect(c.peers[0].password?.count == 80)
    }

    @Test func nodeMeshPasswordGoesToMeshPeersOnly() throws {
        let d = try Self.dir(["mesh": "meshkey\n"])
        let c = try ConfigLoader.parse(yaml: withRequired("""
            nodeMeshPassword: {file: \(d)/mesh}
            nodes:
              - {name: node-a, address: 192.168.77.1}
              - {name: node-b, address: 192.168.77.2}
            peers:
              - {address: 192.168.77.254, asNumber: 64513}
            """))
        let peers = c.effectivePeers
        #expect(peers.map(\.type) == [.mesh, .global])
        #expect(peers[0].password == Array("meshkey".utf8))
        #expect(peers[1].password == nil)
    }

    @Test func changedKeyRestartsThatPeer() throws {
        let d = try Self.dir(["k": "one\n"])
        let old = try ConfigLoader.parse(yaml: Self.peerWithPassword(d + "/k"))
        try "two\n".write(toFile: d + "/k", atomically: true, encoding: .utf8)
        let new = try ConfigLoader.parse(yaml: Self.peerWithPassword(d + "/k"))
        let diff = ConfigDiff(old: old, new: new)
        #expect(diff.changed.map(\.fields) == [["password"]])
        #expect(ConfigDiff(old: new, new: new).changed.isEmpty)
    }

    @Test func ttlSecurity() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, ttlSecurity: 2}\n"))
        #expect(c.peers[0].ttlSecurity == 2)
        #expect(c.peers[0].minimumTTL == 254)     // RFC 5082 §3: 255 - 2 + 1
        #expect(c.peers[0].ttl(localAS: 64512) == 255)
        #expect(c.peers[0].ttl(localAS: 64513) == 255)   // iBGP too
        let range = try onlyError(withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, ttlSecurity: 256}\n"))
        #expect(range.keyPath == "peers[0].ttlSecurity" && range.message == "ttlSecurity 256 is out of range 1-255")
        let both = try onlyError(withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, ttlSecurity: 1, ebgpMultihop: 2}\n"))
        #expect(both.keyPath == "peers[0].ttlSecurity" && both.message == "ttlSecurity and ebgpMultihop cannot both be set")
    }

    @Test func maxPrefixesWithDefaults() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            peers:
              - {address: 192.168.77.254, asNumber: 64513, maxPrefixes: {limit: 1000}}
              - {address: 192.168.77.253, asNumber: 64513, maxPrefixes: {limit: 5, warningPercent: 50, action: disable, restartTime: 30}}
            """))
        #expect(c.peers[0].maxPrefixes == (try MaxPrefixSettings(limit: 1000, warningPercent: 90, action: .restart, restartTime: 60)))
        #expect(c.peers[0].maxPrefixes?.warningThreshold == 900)
        #expect(c.peers[1].maxPrefixes == (try MaxPrefixSettings(limit: 5, warningPercent: 50, action: .disable, restartTime: 30)))
        #expect(c.peers[1].maxPrefixes?.warningThreshold == 3)   // ceil(2.5)
    }

    @Test func maxPrefixesErrors() throws {
        func one(_ mp: String) throws -> ConfigError {
            try onlyError(withRequired("peers:\n  - {address: 192.168.77.254, asNumber: 64513, maxPrefixes: \(mp)}\n"))
        }
        let action = try one("{limit: 10, action: restrat}")
        #expect(action.keyPath == "peers[0].maxPrefixes.action" && action.hint == "did you mean \"restart\"?")
        let limit = try one("{limit: 0}")
        #expect(limit.keyPath == "peers[0].maxPrefixes.limit" && limit.message == "limit 0 is out of range 1-4294967295")
        let pct = try one("{limit: 10, warningPercent: 101}")
        #expect(pct.keyPath == "peers[0].maxPrefixes.warningPercent")
        let rt = try one("{limit: 10, restartTime: 0}")
        #expect(rt.keyPath == "peers[0].maxPrefixes.restartTime")
        let missing = try one("{action: warn}")
        #expect(missing.keyPath == "peers[0].maxPrefixes.limit")
        let unknown = try one("{limit: 10, restart: 5}")
        #expect(unknown.keyPath == "peers[0].maxPrefixes.restart")
    }

    @Test func calicoBGPPeerTTLSecurity() throws {
        let docs = try ResourceCodec.decode("""
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: 192.168.77.254, asNumber: 64513, ttlSecurity: 1}
            """, file: "p.yaml")
        guard case .bgpPeer(let spec)? = docs.first?.spec else { Issue.record("not a BGPPeer: \(docs)"); return }
        #expect(spec.ttlSecurity == 1)
        let off = try ResourceCodec.decode("""
            apiVersion: projectcalico.org/v3
            kind: BGPPeer
            metadata: {name: tor}
            spec: {peerIP: 192.168.77.254, asNumber: 64513, ttlSecurity: 0}
            """, file: "p.yaml")
        guard case .bgpPeer(let s0)? = off.first?.spec else { Issue.record("not a BGPPeer"); return }
        #expect(s0.ttlSecurity == nil)
    }
}
