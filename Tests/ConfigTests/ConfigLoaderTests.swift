import IPCore
import BGPWire
import Foundation
import Model
import Testing
@testable import Config

/// The three required keys on lines 1-3; `extra` starts on line 4.
func withRequired(_ extra: String) -> String {
    "nodeName: node-a\nasNumber: 64512\nrouterID: 192.168.77.1\n" + extra
}

/// The errors `yaml` produces (empty when it parses).
func errors(_ yaml: String) -> [ConfigError] {
    do {
        _ = try ConfigLoader.parse(yaml: yaml, file: "t.yaml")
        return []
    } catch {
        return error.errors
    }
}

/// Exactly one error is expected; returns it for further checks.
func onlyError(_ yaml: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> ConfigError {
    let all = errors(yaml)
    #expect(all.count == 1, "errors: \(all)", sourceLocation: sourceLocation)
    return try #require(all.first, sourceLocation: sourceLocation)
}

func v4(_ s: String) -> IPAddress { .v4(IPv4Address(s)!) }

@Suite struct ValidConfigs {
    @Test func fullConfigEveryField() throws {
        let yaml = """
        nodeName: node-a
        role: reflector
        asNumber: 4200000001
        routerID: 192.168.77.1
        listenAddress: 2001:db8::1
        listenPort: 1179
        controlSocket: /tmp/tern.sock
        holdTime: 0
        connectRetryTime: 7
        nodeToNodeMesh: false
        nodes:
          - {name: node-b, address: 192.168.77.2, port: 1790}
        peers:
          - {address: 192.168.77.254, asNumber: 64513, holdTime: 30, passive: true, port: 1800,
             connectRetryTime: 9, name: tor, families: [ipv4, ipv6]}
        blocks: [10.244.1.0/26, 'fd00:1::/64']
        logLevel: debug
        logFormat: json
        """
        let c = try ConfigLoader.parse(yaml: yaml, file: "full.yaml")
        #expect(c.nodeName == "node-a")
        #expect(c.role == .reflector)
        #expect(c.asNumber == 4_200_000_001)
        #expect(c.routerID == IPv4Address("192.168.77.1"))
        #expect(c.listenAddress == .v6(IPv6Address("2001:db8::1")!))
        #expect(c.listenPort == 1179)
        #expect(c.controlSocket == "/tmp/tern.sock")
        #expect(c.holdTime == 0)
        #expect(c.connectRetryTime == 7)
        #expect(c.nodeToNodeMesh == false)
        #expect(c.nodes == [try NodeSpec(name: "node-b", address: v4("192.168.77.2"), port: 1790)])
        #expect(c.peers == [try PeerSpec(address: v4("192.168.77.254"), port: 1800, asNumber: 64513, holdTime: 30,
                                         connectRetryTime: 9, passive: true, name: "tor", families: [.v4, .v6])])
        #expect(c.blocks == [IPPrefix("10.244.1.0/26")!, IPPrefix("fd00:1::/64")!])
        #expect(c.logLevel == .debug)
        #expect(c.logFormat == .json)
        // Mesh off: only the explicit peer.
        #expect(c.effectivePeers == c.peers)
    }

    @Test func defaults() throws {
        let c = try ConfigLoader.parse(yaml: withRequired(""), file: "t.yaml")
        var expected = TernConfig(nodeName: "node-a", asNumber: 64512, routerID: IPv4Address("192.168.77.1")!)
        expected.role = .node
        expected.listenAddress = v4("0.0.0.0")
        expected.listenPort = 179
        expected.controlSocket = "/run/tern/tern.sock"
        expected.holdTime = 90
        expected.connectRetryTime = 5
        expected.nodeToNodeMesh = true
        expected.logLevel = .info
        expected.logFormat = .text
        #expect(c == expected)
        #expect(c.nodes.isEmpty && c.peers.isEmpty && c.blocks.isEmpty)
        #expect(c.effectivePeers.isEmpty)
    }

    @Test func peerDefaultsInheritTopLevelTimers() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("""
            holdTime: 60
            connectRetryTime: 3
            peers: [{address: 192.168.77.254, asNumber: 64513}]
            """), file: "t.yaml")
        #expect(c.effectivePeers == [try PeerSpec(address: v4("192.168.77.254"), port: 179, asNumber: 64513, holdTime: 60,
                                                  connectRetryTime: 3, passive: false, type: .global, name: nil,
                                                  families: [.v4])])
    }

    @Test func unquotedIPv6Addresses() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("listenAddress: '::'\npeers: [{address: fe80::1, asNumber: 65000}]\n"), file: "t.yaml")
        #expect(c.listenAddress == .v6(IPv6Address("::")!))
        #expect(c.peers.map(\.address) == [.v6(IPv6Address("fe80::1")!)])
        // YAML itself cannot read a plain scalar starting with ':'; the hint says to quote it.
        let e = try onlyError(withRequired("listenAddress: ::\n"))
        #expect(e.line == 4)
        #expect(e.hint?.contains("quote") == true)
    }

    @Test func holdTimeBoundariesAccepted() throws {
        for h in [0, 3, 65535] {
            let c = try ConfigLoader.parse(yaml: withRequired("holdTime: \(h)\n"), file: "t.yaml")
            #expect(c.holdTime == UInt16(h))
        }
    }

    @Test func asNumberBoundariesAccepted() throws {
        for n: UInt32 in [1, 23455, 23457, 4_294_967_295] {
            let c = try ConfigLoader.parse(yaml: "nodeName: a\nasNumber: \(n)\nrouterID: 10.0.0.1\n", file: "t.yaml")
            #expect(c.asNumber == n)
        }
    }

    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func exampleNodeA() throws {
        let c = try ConfigLoader.load(path: Self.repo.appendingPathComponent("config/node-a.yaml").path)
        #expect(c.nodeName == "node-a")
        #expect(c.asNumber == 64512)
        #expect(c.blocks == [IPPrefix("10.244.1.0/26")!])
        // node-a itself is skipped; node-b and node-c are mesh peers; two explicit peers.
        let peers = c.effectivePeers
        #expect(peers.map(\.name) == ["node-b", "node-c", "tor-router", "bird-v6"])
        #expect(peers.map(\.type) == [.mesh, .mesh, .global, .global])
        #expect(peers[3].families == [.v6])
        // Every key of every table appears in the commented example.
        let text = try String(contentsOf: Self.repo.appendingPathComponent("config/node-a.yaml"), encoding: .utf8)
        let tables = [ConfigLoader.topLevelKeys, ConfigLoader.nodeKeys, ConfigLoader.peerKeys, ConfigLoader.workloadKeys,
                      ConfigLoader.dataplaneKeys, ConfigLoader.ipPoolKeys, ConfigLoader.datastoreKeys, ConfigLoader.bfdKeys, ConfigLoader.bfdAuthenticationKeys,
                      ConfigLoader.passwordKeys, ConfigLoader.maxPrefixKeys, ConfigLoader.metricsKeys, ConfigLoader.healthKeys, ConfigLoader.policyKeys]
        for key in tables.joined() {
            #expect(text.contains("\(key):") || text.contains("\(key) ("), "node-a.yaml lacks \(key)")
        }
    }

    @Test func exampleMinimal() throws {
        let c = try ConfigLoader.load(path: Self.repo.appendingPathComponent("config/minimal.yaml").path)
        #expect(c == TernConfig(nodeName: "node-a", asNumber: 64512, routerID: IPv4Address("192.168.77.1")!))
    }

    @Test func unreadableFile() {
        do {
            _ = try ConfigLoader.load(path: "/nonexistent/tern.yaml")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.errors.count == 1)
            #expect(error.errors[0].line == 0)
            #expect(error.description.hasPrefix("/nonexistent/tern.yaml: cannot read the file"))
        }
    }
}

@Suite struct ValidationRules {
    @Test func printedFormat() throws {
        let e = try onlyError(withRequired("""
            peers:
              - {address: 192.168.77.254, asNumber: 64513}
              - {address: 192.168.77.253, asNumber: 23456}
            """))
        #expect(e.description == "t.yaml:6:41: peers[1].asNumber: 23456 is AS_TRANS, not a real AS number (hint: use the peer's 4-octet AS number)")
    }

    @Test func unknownKeySuggestsClosest() throws {
        let e = try onlyError(withRequired("holdtime: 30\n"))
        #expect(e.line == 4 && e.column == 1)
        #expect(e.keyPath == "holdtime")
        #expect(e.message == "unknown key \"holdtime\"")
        #expect(e.hint == "did you mean \"holdTime\"?")

        let p = try onlyError(withRequired("peers:\n  - {address: 10.0.0.9, asNumber: 65000, pasive: true}\n"))
        #expect(p.line == 5)
        #expect(p.keyPath == "peers[0].pasive")
        #expect(p.hint == "did you mean \"passive\"?")

        let snake = try onlyError(withRequired("connect_retry_time: 5\n"))
        #expect(snake.hint == "did you mean \"connectRetryTime\"?")
    }

    @Test func unknownKeyWithoutNearMatchListsKeys() throws {
        let e = try onlyError(withRequired("nodes:\n  - {name: b, address: 10.0.0.2, zone: east}\n"))
        #expect(e.keyPath == "nodes[0].zone")
        #expect(e.line == 5)
        #expect(e.hint == "known keys here: name, address, port")
    }

    @Test func wrongTypes() throws {
        let quoted = try onlyError(withRequired("listenPort: \"179\"\n"))
        #expect(quoted.line == 4 && quoted.column == 13)
        #expect(quoted.keyPath == "listenPort")
        #expect(quoted.message == "expected a whole number, got the quoted string \"179\"")
        #expect(quoted.hint == "remove the quotes")

        let word = try onlyError(withRequired("holdTime: ninety\n"))
        #expect(word.message == "expected a whole number, got the string \"ninety\"")

        let fraction = try onlyError(withRequired("holdTime: 4.5\n"))
        #expect(fraction.message == "expected a whole number, got the number 4.5")
        #expect(fraction.hint == "use a whole number")

        let boolean = try onlyError(withRequired("nodeToNodeMesh: maybe\n"))
        #expect(boolean.keyPath == "nodeToNodeMesh")
        #expect(boolean.message == "expected true or false, got the string \"maybe\"")

        let notList = try onlyError(withRequired("peers: {address: 10.0.0.9, asNumber: 65000}\n"))
        #expect(notList.keyPath == "peers")
        #expect(notList.line == 4)
        #expect(notList.message == "expected a list, got a mapping")

        let notMapping = try onlyError(withRequired("peers: [10.0.0.9]\n"))
        #expect(notMapping.keyPath == "peers[0]")
        #expect(notMapping.message.hasPrefix("expected a peer (a mapping of keys), got the string \"10.0.0.9\""))

        let null = try onlyError(withRequired("logLevel:\n"))
        #expect(null.keyPath == "logLevel")
        #expect(null.message.hasPrefix("has no value"))

        let root = try onlyError("- nodeName: a\n")
        #expect(root.keyPath == "" && root.line == 1)
        #expect(root.message == "expected the settings (a mapping of keys), got a list")
    }

    @Test func missingRequiredKeys() throws {
        let e = try onlyError("# comment\nnodeName: node-a\nasNumber: 64512\n")
        #expect(e.keyPath == "routerID")
        #expect(e.line == 2)  // the start of the mapping that lacks it
        #expect(e.message == "missing required key \"routerID\" in the file")

        let all = errors("logLevel: info\n")
        #expect(all.map(\.keyPath) == ["nodeName", "asNumber", "routerID"])

        let peer = try onlyError(withRequired("peers:\n  - {address: 10.0.0.9}\n"))
        #expect(peer.keyPath == "peers[0].asNumber")
        #expect(peer.line == 5)
        #expect(peer.message == "missing required key \"asNumber\" in peers[0]")

        let node = try onlyError(withRequired("nodes:\n  - name: b\n"))
        #expect(node.keyPath == "nodes[0].address")
        #expect(node.line == 5)

        let empty = try onlyError(withRequired("").replacingOccurrences(of: "node-a", with: "''"))
        #expect(empty.keyPath == "nodeName")
        #expect(empty.message == "must not be empty")
    }

    @Test func asNumbers() throws {
        let zero = try onlyError("nodeName: a\nasNumber: 0\nrouterID: 10.0.0.1\n")
        #expect(zero.line == 2 && zero.column == 11)
        #expect(zero.keyPath == "asNumber")
        #expect(zero.message == "AS 0 is reserved and cannot be used (RFC 7607)")

        let trans = try onlyError("nodeName: a\nasNumber: 23456\nrouterID: 10.0.0.1\n")
        #expect(trans.message == "23456 is AS_TRANS, not a real AS number")
        #expect(trans.hint == "use this node's 4-octet AS number")

        let big = try onlyError("nodeName: a\nasNumber: 4294967296\nrouterID: 10.0.0.1\n")
        #expect(big.message == "4294967296 is out of range; AS numbers are 1-4294967295")

        let negative = try onlyError(withRequired("peers: [{address: 10.0.0.9, asNumber: -1}]\n"))
        #expect(negative.keyPath == "peers[0].asNumber")
        #expect(negative.line == 4)
        #expect(negative.message == "-1 is out of range; AS numbers are 1-4294967295")
    }

    @Test func holdTimes() throws {
        for h in [1, 2] {
            let e = try onlyError(withRequired("holdTime: \(h)\n"))
            #expect(e.line == 4 && e.keyPath == "holdTime")
            #expect(e.message == "hold time \(h) is not allowed; it must be 0 or at least 3 seconds (RFC 4271 §4.2)")
        }
        let big = try onlyError(withRequired("holdTime: 65536\n"))
        #expect(big.message == "hold time 65536 is out of range 0 or 3-65535 seconds")

        let peer = try onlyError(withRequired("peers:\n  - address: 10.0.0.9\n    asNumber: 65000\n    holdTime: 2\n"))
        #expect(peer.keyPath == "peers[0].holdTime")
        #expect(peer.line == 7 && peer.column == 15)

        let retry = try onlyError(withRequired("connectRetryTime: 0\n"))
        #expect(retry.keyPath == "connectRetryTime")
        #expect(retry.message == "connect retry time 0 is out of range 1-65535 seconds")
    }

    @Test func addresses() throws {
        let bad = try onlyError("nodeName: a\nasNumber: 1\nrouterID: 300.1.1.1\n")
        #expect(bad.keyPath == "routerID" && bad.line == 3)
        #expect(bad.message == "\"300.1.1.1\" is not an IPv4 address")

        let v6 = try onlyError("nodeName: a\nasNumber: 1\nrouterID: 2001:db8::1\n")
        #expect(v6.message == "router ID must be IPv4, got the IPv6 address 2001:db8::1")

        let zero = try onlyError("nodeName: a\nasNumber: 1\nrouterID: 0.0.0.0\n")
        #expect(zero.message == "router ID 0.0.0.0 is not allowed (RFC 6286)")

        let peer = try onlyError(withRequired("peers:\n  - {address: banana, asNumber: 65000}\n"))
        #expect(peer.keyPath == "peers[0].address" && peer.line == 5)
        #expect(peer.message == "\"banana\" is not an IP address")

        let withLength = try onlyError(withRequired("listenAddress: 10.0.0.1/24\n"))
        #expect(withLength.keyPath == "listenAddress")
        #expect(withLength.hint == "give an address without a prefix length")

        let unspecified = try onlyError(withRequired("peers: [{address: 0.0.0.0, asNumber: 65000}]\n"))
        #expect(unspecified.keyPath == "peers[0].address")
        #expect(unspecified.message.hasPrefix("0.0.0.0 is the unspecified address"))
    }

    @Test func blocks() throws {
        let hostBits = try onlyError(withRequired("blocks:\n  - 10.244.1.0/26\n  - 10.244.1.77/26\n"))
        #expect(hostBits.keyPath == "blocks[1]")
        #expect(hostBits.line == 6 && hostBits.column == 5)
        #expect(hostBits.message == "10.244.1.77/26 has host bits set")
        #expect(hostBits.hint == "use the network address 10.244.1.64/26")

        let invalid = try onlyError(withRequired("blocks: [10.244.1.0/33]\n"))
        #expect(invalid.keyPath == "blocks[0]")
        #expect(invalid.message == "\"10.244.1.0/33\" is not a CIDR prefix")

        let twice = try onlyError(withRequired("blocks: [10.244.1.0/26, 10.244.1.0/26]\n"))
        #expect(twice.keyPath == "blocks[1]")
        #expect(twice.message == "10.244.1.0/26 is listed twice (also blocks[0])")
    }

    @Test func duplicatePeers() throws {
        let e = try onlyError(withRequired("""
            peers:
              - {address: 10.0.0.9, asNumber: 65000}
              - {address: 10.0.0.8, asNumber: 65000}
              - {address: 10.0.0.9, asNumber: 65001}
            """))
        #expect(e.keyPath == "peers[2].address")
        #expect(e.line == 7)
        #expect(e.message == "duplicate peer 10.0.0.9:179 (also peers[0])")
        // Same address, another port: another speaker, allowed.
        #expect(errors(withRequired("""
            peers:
              - {address: 10.0.0.9, asNumber: 65000}
              - {address: 10.0.0.9, asNumber: 65000, port: 1790}
            """)).isEmpty)
    }

    @Test func peerThatIsOurselves() throws {
        let byRouterID = try onlyError(withRequired("peers:\n  - {address: 192.168.77.1, asNumber: 64512}\n"))
        #expect(byRouterID.keyPath == "peers[0].address" && byRouterID.line == 5)
        #expect(byRouterID.message == "192.168.77.1:179 is this node itself (routerID)")

        let byListen = try onlyError(withRequired("listenAddress: 10.1.1.1\npeers: [{address: 10.1.1.1, asNumber: 64512}]\n"))
        #expect(byListen.keyPath == "peers[0].address" && byListen.line == 5)
        #expect(byListen.message == "10.1.1.1:179 is this node itself (listenAddress)")

        // Our address on another port is another speaker sharing the host.
        #expect(errors(withRequired("peers:\n  - {address: 192.168.77.1, asNumber: 64512, port: 1790}\n")).isEmpty)
    }

    @Test func meshNodeThatIsOurselvesUnderAnotherName() throws {
        let e = try onlyError(withRequired("nodes:\n  - {name: node-b, address: 192.168.77.2}\n  - {name: nodea, address: 192.168.77.1}\n"))
        #expect(e.keyPath == "nodes[1].address" && e.line == 6)
        #expect(e.message == "192.168.77.1:179 is this node, but listed as \"nodea\", not nodeName \"node-a\"")
        #expect(e.hint == "set nodeName to \"nodea\", or correct the address")
    }

    @Test func duplicateNodeNames() throws {
        let e = try onlyError(withRequired("nodes:\n  - {name: node-b, address: 10.0.0.2}\n  - {name: node-b, address: 10.0.0.3}\n"))
        #expect(e.keyPath == "nodes[1].name" && e.line == 6)
        #expect(e.message == "duplicate node name \"node-b\" (also nodes[0])")

        let sameAddress = try onlyError(withRequired("nodes:\n  - {name: b, address: 10.0.0.2}\n  - {name: c, address: 10.0.0.2}\n"))
        #expect(sameAddress.keyPath == "nodes[1].address")
        #expect(sameAddress.message == "10.0.0.2:179 is already nodes[0]")
    }

    @Test func roleAndLogSettings() throws {
        let role = try onlyError(withRequired("role: router\n"))
        #expect(role.keyPath == "role" && role.line == 4 && role.column == 7)
        #expect(role.message == "\"router\" is not a role")
        #expect(role.hint == "use one of node|reflector")

        let level = try onlyError(withRequired("logLevel: warn\n"))
        #expect(level.keyPath == "logLevel")
        #expect(level.message == "\"warn\" is not a log level (trace|debug|info|notice|warning|error|critical)")
        #expect(level.hint == "did you mean \"warning\"?")

        let loud = try onlyError(withRequired("logLevel: loud\n"))
        #expect(loud.hint == "use one of trace|debug|info|notice|warning|error|critical")

        let format = try onlyError(withRequired("logFormat: xml\n"))
        #expect(format.keyPath == "logFormat")
        #expect(format.hint == "use one of text|json")
    }

    @Test func ports() throws {
        let zero = try onlyError(withRequired("listenPort: 0\n"))
        #expect(zero.keyPath == "listenPort" && zero.line == 4)
        #expect(zero.message == "port 0 must be positive")

        let negative = try onlyError(withRequired("peers: [{address: 10.0.0.9, asNumber: 65000, port: -179}]\n"))
        #expect(negative.keyPath == "peers[0].port")
        #expect(negative.message == "port -179 must be positive")

        let big = try onlyError(withRequired("listenPort: 70000\n"))
        #expect(big.message == "port 70000 is out of range 1-65535")

        let node = try onlyError(withRequired("nodes: [{name: b, address: 10.0.0.2, port: 0}]\n"))
        #expect(node.keyPath == "nodes[0].port")
    }

    @Test func families() throws {
        let e = try onlyError(withRequired("peers: [{address: 10.0.0.9, asNumber: 65000, families: [ipv4, ipx]}]\n"))
        #expect(e.keyPath == "peers[0].families[1]")
        #expect(e.message == "\"ipx\" is not an address family")

        let none = try onlyError(withRequired("peers: [{address: 10.0.0.9, asNumber: 65000, families: []}]\n"))
        #expect(none.keyPath == "peers[0].families")
    }

    @Test func yamlProblems() throws {
        let syntax = try onlyError("nodeName: a\nasNumber: [1, 2\nrouterID: 10.0.0.1\n")
        #expect(syntax.line >= 2)
        #expect(syntax.message.hasPrefix("YAML syntax error"))

        let duplicate = try onlyError("nodeName: a\nasNumber: 1\nrouterID: 10.0.0.1\nasNumber: 2\n")
        #expect(duplicate.message == "key \"asNumber\" appears more than once in one mapping")

        let empty = try onlyError("# nothing\n")
        #expect(empty.message == "the file is empty")
    }

    @Test func everyErrorReportedTogetherInFileOrder() throws {
        let yaml = """
        nodeName: node-a
        asNumber: 23456
        routerID: 192.168.77.1
        holdTime: 2
        logLevle: info
        peers:
          - {address: 10.0.0.9, asNumber: 0}
          - {address: 10.0.0.9, asNumber: 65000, port: 0}
        blocks: [10.244.1.1/26]
        """
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: "multi.yaml")
            Issue.record("parsed an invalid file")
        } catch {
            #expect(error.errors.map(\.keyPath) == [
                "asNumber", "holdTime", "logLevle", "peers[0].asNumber", "peers[1].port", "blocks[0]",
            ])
            #expect(error.errors.map(\.line) == [2, 4, 5, 7, 8, 9])
            #expect(error.description.split(separator: "\n").count == 6)
            #expect(error.description.split(separator: "\n").allSatisfy { $0.hasPrefix("multi.yaml:") })
        }
    }
}

@Suite struct Suggestions {
    @Test func editDistanceAndSuggestions() {
        #expect(editDistance(Array("kitten"), Array("sitting")) == 3)
        #expect(editDistance([], Array("abc")) == 3)
        #expect(suggestion(for: "routerId", among: ConfigLoader.topLevelKeys) == "routerID")
        #expect(suggestion(for: "asNumbr", among: ConfigLoader.topLevelKeys) == "asNumber")
        #expect(suggestion(for: "neighbors", among: ConfigLoader.topLevelKeys) == nil)
    }
}
