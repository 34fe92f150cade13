import CNI
import Foundation
import Testing

@Suite struct CNIResultTests {
    /// A Calico-style ADD result: host veth, container eth0, a /32, the link-local gateway route.
    static let result = CNIResult(
        cniVersion: "1.0.0",
        interfaces: [
            .init(name: "calic440f455693", mac: "ee:ee:ee:ee:ee:ee"),
            .init(name: "eth0", mac: "0e:00:00:00:00:77", mtu: 1450, sandbox: "/run/netns/x"),
        ],
        ips: [.init(address: "10.244.7.77/32", interface: 1), .init(address: "2001:db8::77/128", gateway: "fe80::1", interface: 1)],
        routes: [.init(dst: "0.0.0.0/0", gw: "169.254.1.1"), .init(dst: "::/0")],
        dns: .init(nameservers: ["10.96.0.10"], domain: "cluster.local", search: ["default.svc.cluster.local"], options: ["ndots:5"])
    )

    func text(_ d: Data) -> String { String(decoding: d, as: UTF8.self) }

    @Test(arguments: ["1.0.0", "1.1.0"])
    func currentShape(version: String) {
        #expect(text(Self.result.json(cniVersion: version)) == #"{"cniVersion":"\#(version)","dns":{"domain":"cluster.local","nameservers":["10.96.0.10"],"options":["ndots:5"],"search":["default.svc.cluster.local"]},"interfaces":[{"mac":"ee:ee:ee:ee:ee:ee","name":"calic440f455693"},{"mac":"0e:00:00:00:00:77","mtu":1450,"name":"eth0","sandbox":"/run/netns/x"}],"ips":[{"address":"10.244.7.77/32","interface":1},{"address":"2001:db8::77/128","gateway":"fe80::1","interface":1}],"routes":[{"dst":"0.0.0.0/0","gw":"169.254.1.1"},{"dst":"::/0"}]}"#)
    }

    @Test(arguments: ["0.3.0", "0.3.1", "0.4.0"])
    func oldShapeHasIPVersionAndNoInterfaceMTU(version: String) {
        #expect(text(Self.result.json(cniVersion: version)) == #"{"cniVersion":"\#(version)","dns":{"domain":"cluster.local","nameservers":["10.96.0.10"],"options":["ndots:5"],"search":["default.svc.cluster.local"]},"interfaces":[{"mac":"ee:ee:ee:ee:ee:ee","name":"calic440f455693"},{"mac":"0e:00:00:00:00:77","name":"eth0","sandbox":"/run/netns/x"}],"ips":[{"address":"10.244.7.77/32","interface":1,"version":"4"},{"address":"2001:db8::77/128","gateway":"fe80::1","interface":1,"version":"6"}],"routes":[{"dst":"0.0.0.0/0","gw":"169.254.1.1"},{"dst":"::/0"}]}"#)
    }

    /// An IPAM plugin's result: no interfaces, no ips[].interface, no dns; interface index 0 is still written.
    @Test func emptyFieldsAreLeftOut() {
        let ipam = CNIResult(cniVersion: "1.0.0", ips: [.init(address: "10.244.7.77/32")])
        #expect(text(ipam.json(cniVersion: "1.0.0")) == #"{"cniVersion":"1.0.0","ips":[{"address":"10.244.7.77/32"}]}"#)
        #expect(text(CNIResult(cniVersion: "1.0.0").json(cniVersion: "1.0.0")) == #"{"cniVersion":"1.0.0"}"#)
        let zero = CNIResult(cniVersion: "1.0.0", interfaces: [.init(name: "eth0", mac: "", mtu: 0, sandbox: "")],
                             ips: [.init(address: "10.0.0.1/32", gateway: "", interface: 0)], dns: .init())
        #expect(text(zero.json(cniVersion: "1.0.0")) == #"{"cniVersion":"1.0.0","dns":{},"interfaces":[{"name":"eth0"}],"ips":[{"address":"10.0.0.1/32","interface":0}]}"#)
    }

    @Test func theRequestedVersionIsWritten() throws {
        let r = CNIResult(cniVersion: "0.3.1")
        #expect(text(r.json(cniVersion: "1.1.0")) == #"{"cniVersion":"1.1.0"}"#)
    }

    @Test(arguments: ["0.3.1", "1.0.0", "1.1.0"])
    func roundTripsThroughEitherShape(version: String) throws {
        let v = try JSONValue.parse(Self.result.json(cniVersion: version))
        var expected = Self.result
        expected.cniVersion = version
        if version == "0.3.1" { expected.interfaces[1].mtu = nil }
        #expect(try CNIResult.decode(v) == expected)
    }

    /// The spec's 0.4.0 example prevResult (SPEC.md §Network configuration list runtime examples).
    @Test func decodesTheSpecExample() throws {
        let v = try JSONValue.parse(Data(#"""
        {"ips":[{"version":"4","address":"10.0.0.5/32","interface":2}],
         "interfaces":[{"name":"cni0","mac":"00:11:22:33:44:55"},{"name":"veth3243","mac":"55:44:33:22:11:11"},
                       {"name":"eth0","mac":"99:88:77:66:55:44","sandbox":"/var/run/netns/blue"}],
         "dns":{"nameservers":["10.1.0.1"]}}
        """#.utf8))
        #expect(throws: CNIError(7, "result.cniVersion is missing")) { try CNIResult.decode(v) }
        let r = try CNIResult.decode(v, defaultVersion: "0.4.0")
        #expect(r.cniVersion == "0.4.0")
        #expect(r.ips == [.init(address: "10.0.0.5/32", interface: 2)])
        #expect(r.interfaces.map(\.name) == ["cni0", "veth3243", "eth0"])
        #expect(r.interfaces[2].sandbox == "/var/run/netns/blue")
        #expect(r.dns == .init(nameservers: ["10.1.0.1"]))
        #expect(r.routes == [])
    }

    @Test func wronglyTypedFieldsAreCode7NamingThem() throws {
        let cases: [(String, String)] = [
            (#"[]"#, "result must be an object"),
            (#"{"cniVersion":1}"#, "result.cniVersion must be a string"),
            (#"{"cniVersion":"1.0.0","ips":{}}"#, "result.ips must be an array"),
            (#"{"cniVersion":"1.0.0","ips":[{"interface":0}]}"#, "result.ips[0].address is missing"),
            (#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.1/32","interface":"0"}]}"#, "result.ips[0].interface must be an integer"),
            (#"{"cniVersion":"1.0.0","ips":[{"address":"10.0.0.1/32","interface":1.5}]}"#, "result.ips[0].interface must be an integer"),
            (#"{"cniVersion":"1.0.0","interfaces":[{"mac":"x"}]}"#, "result.interfaces[0].name is missing"),
            (#"{"cniVersion":"1.0.0","routes":[{"gw":"10.0.0.1"}]}"#, "result.routes[0].dst is missing"),
            (#"{"cniVersion":"1.0.0","dns":{"nameservers":[1]}}"#, "result.dns.nameservers[0] must be a string"),
        ]
        for (json, msg) in cases {
            let v = try JSONValue.parse(Data(json.utf8))
            #expect(throws: CNIError(7, msg), "\(json)") { try CNIResult.decode(v) }
        }
    }

    @Test func ipVersionFromTheAddress() {
        #expect(CNIResult.IPConfig(address: "10.0.0.1/32").ipVersion == "4")
        #expect(CNIResult.IPConfig(address: "fd00::1/128").ipVersion == "6")
        #expect(CNIResult.IPConfig(address: "::ffff:10.0.0.1/128").ipVersion == "6")
    }
}
