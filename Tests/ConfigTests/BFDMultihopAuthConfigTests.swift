import Foundation
import Model
import Testing
@testable import Config

/// `bfd.multihop`, `bfd.minimumTTL` and `bfd.authentication` (keyed SHA1 from a key file):
/// read, defaulted, and their errors at the file's line and column.
@Suite struct BFDMultihopAuthConfigTests {
    static func peer(_ bfd: String) -> String {
        withRequired("""
            peers:
              - address: 192.168.77.254
                asNumber: 64513
                ebgpMultihop: 2
                bfd:
            \(bfd)

            """)
    }

    @Test func multihopAndMinimumTTL() throws {
        let c = try ConfigLoader.parse(yaml: Self.peer("      multihop: true\n      minimumTTL: 254"))
        let bfd = try #require(c.peers[0].bfd)
        #expect(bfd.multihop == true && bfd.minimumTTL == 254 && bfd.authentication == nil)
        // Automatic: multihop when ebgpMultihop > 1 (BIRD's bfd on a multihop session).
        let auto = try ConfigLoader.parse(yaml: Self.peer("      enabled: true"))
        #expect(auto.peers[0].bfd?.multihop == nil)
        #expect(auto.peers[0].bfd?.isMultihop(ebgpMultihop: 2) == true)
        #expect(auto.peers[0].bfd?.isMultihop(ebgpMultihop: nil) == false)
        #expect(try BFDSettings(multihop: false).isMultihop(ebgpMultihop: 5) == false)
    }

    @Test func minimumTTLErrors() throws {
        let range = try onlyError(Self.peer("      multihop: true\n      minimumTTL: 0"))
        #expect(range.keyPath == "peers[0].bfd.minimumTTL" && range.message.contains("out of range 1-255"))
        #expect(range.line == 10 && range.column == 19)
        let single = try onlyError(Self.peer("      multihop: false\n      minimumTTL: 200"))
        #expect(single.keyPath == "peers[0].bfd.minimumTTL" && single.message.contains("multihop BFD only"))
    }

    @Test func authenticationFromAKeyFile() throws {
        let d = try ProtectionConfigTests.dir(["k": "sha1key\n", "m": "x\r\n"])
        let c = try ConfigLoader.parse(yaml: Self.peer("      authentication: {type: keyed-sha1, keyID: 3, keyFile: \(d)/k}"))
        let a = try #require(c.peers[0].bfd?.authentication)
        #expect(a.type == .keyedSHA1 && a.keyID == 3 && a.key == Array("sha1key".utf8))
        let m = try ConfigLoader.parse(yaml: Self.peer("      authentication: {type: meticulous-keyed-sha1, keyFile: \(d)/m}"))
        #expect(m.peers[0].bfd?.authentication == (try BFDAuthenticationSettings(type: .meticulousKeyedSHA1, keyID: 1, key: [0x78])))
    }

    @Test func authenticationErrorsHaveLineAndColumn() throws {
        let d = try ProtectionConfigTests.dir(["long": String(repeating: "k", count: 21) + "\n", "twenty": String(repeating: "k", count: 20)])
        let missing = try onlyError(Self.peer("      authentication:\n        type: keyed-sha1\n        keyFile: /nonexistent/bfd.key"))
        #expect(missing.keyPath == "peers[0].bfd.authentication.keyFile")
        #expect(missing.line == 11 && missing.column == 18)
        #expect(missing.message == "the BFD key file /nonexistent/bfd.key does not exist")
        let long = try onlyError(Self.peer("      authentication: {type: keyed-sha1, keyFile: \(d)/long}"))
        #expect(long.message.contains("21 bytes; a SHA1 key is 1-20 bytes"))
        _ = try ConfigLoader.parse(yaml: Self.peer("      authentication: {type: keyed-sha1, keyFile: \(d)/twenty}"))
        let type = try onlyError(Self.peer("      authentication: {type: keyed-md5, keyFile: \(d)/twenty}"))
        #expect(type.keyPath == "peers[0].bfd.authentication.type")
        let noFile = try onlyError(Self.peer("      authentication: {type: keyed-sha1}"))
        #expect(noFile.keyPath == "peers[0].bfd.authentication.keyFile" && noFile.message.contains("missing"))
        let id = try onlyError(Self.peer("      authentication: {type: keyed-sha1, keyID: 256, keyFile: \(d)/twenty}"))
        #expect(id.keyPath == "peers[0].bfd.authentication.keyID" && id.message.contains("0-255"))
    }
}
