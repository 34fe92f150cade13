import CNI
import Foundation
import Testing

@Suite struct NetworkConfigTests {
    /// podman 4.3.1's stdin for plugin 1 of a 1.0.0 conflist (CNI.md §B2); the `capabilities` and `ipam` objects
    /// that CNI.md elides are filled in with what that conflist declared.
    static let podmanStdin = #"{"capabilities":{"aliases":true,"ips":true,"mac":true,"portMappings":true},"cniVersion":"1.0.0","ipam":{"type":"tern"},"mtu":1450,"name":"ternspy","runtimeConfig":{"aliases":{"ternspy":["3f9a3f9a3f9a"]},"portMappings":[{"hostPort":18080,"containerPort":80,"protocol":"tcp"}]},"type":"tern-spy"}"#

    /// Calico's default conflist's first plugin (CNI.md §B3) as the runtime sends it: the list's `name` and
    /// `cniVersion` added.
    static let calicoPlugin = #"""
    {"type":"calico","log_level":"info","log_file_path":"/var/log/calico/cni/cni.log","datastore_type":"kubernetes",
     "nodename":"node-1","mtu":1440,"ipam":{"type":"calico-ipam"},"policy":{"type":"k8s"},
     "kubernetes":{"kubeconfig":"/etc/cni/net.d/calico-kubeconfig"},"name":"k8s-pod-network","cniVersion":"0.3.1"}
    """#

    static func decode(_ s: String) throws(CNIError) -> NetworkConfig { try NetworkConfig.decode(Data(s.utf8)) }

    func error(_ s: String) -> CNIError? {
        do {
            _ = try Self.decode(s)
            return nil
        } catch {
            return error
        }
    }

    @Test func podmanRequest() throws {
        let c = try Self.decode(Self.podmanStdin)
        #expect(c.cniVersion == "1.0.0")
        #expect(c.name == "ternspy")
        #expect(c.type == "tern-spy")
        #expect(c.mtu == 1450)
        #expect(c.controlSocket == nil)
        #expect(c.ipam == IPAMConfig(type: "tern", raw: ["type": "tern"]))
        #expect(c.ipam?.assignIPv4 == true)
        #expect(c.ipam?.assignIPv6 == false)
        #expect(c.runtimeConfig.ips == [])
        #expect(c.runtimeConfig.mac == nil)
        #expect(c.runtimeConfig.portMappings == [["hostPort": 18080, "containerPort": 80, "protocol": "tcp"]])
        #expect(c.runtimeConfig.raw["aliases"] == ["ternspy": ["3f9a3f9a3f9a"]])
        #expect(c.prevResult == nil)
        #expect(c.prevResultJSON == nil)
        #expect(c.validAttachments == nil)
        #expect(c.raw["capabilities"] == ["aliases": true, "ips": true, "mac": true, "portMappings": true])
        #expect(c.raw.count == 7)
    }

    @Test func calicoDefaultPlugin() throws {
        let c = try Self.decode(Self.calicoPlugin)
        #expect(c.cniVersion == "0.3.1")
        #expect(c.name == "k8s-pod-network")
        #expect(c.type == "calico")
        #expect(c.mtu == 1440)
        #expect(c.ipam?.type == "calico-ipam")
        #expect(c.ipam?.ipv4Pools == [])
        #expect(c.raw["policy"] == ["type": "k8s"])
        #expect(c.raw["log_file_path"] == "/var/log/calico/cni/cni.log")
    }

    /// calico-ipam's options; Calico accepts the Booleans as strings.
    @Test func calicoIPAMOptions() throws {
        let c = try Self.decode(#"""
        {"cniVersion":"1.0.0","name":"n","type":"tern","ipam":{"type":"tern","ipv4_pools":["10.244.0.0/16","pool2"],
         "ipv6_pools":["fd00:10:244::/48"],"assign_ipv4":"false","assign_ipv6":"true","subnet":"usePodCidr"}}
        """#)
        let ipam = try #require(c.ipam)
        #expect(ipam.ipv4Pools == ["10.244.0.0/16", "pool2"])
        #expect(ipam.ipv6Pools == ["fd00:10:244::/48"])
        #expect(ipam.assignIPv4 == false)
        #expect(ipam.assignIPv6 == true)
        #expect(ipam.raw["subnet"] == "usePodCidr")
        let b = try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","ipam":{"type":"t","assign_ipv4":false,"assign_ipv6":true}}"#)
        #expect(b.ipam?.assignIPv4 == false)
        #expect(b.ipam?.assignIPv6 == true)
    }

    @Test func notJSONIsCode6WithTheLocation() throws {
        let e = try #require(error(#"{"cniVersion":"1.0.0",,}"#))
        #expect(e.code == 6)
        #expect(e.details == "Invalid value around character 22.")
        #expect(error("")?.code == 6)
        #expect(error("[1,2]")?.code == 6)
        #expect(error(#""text""#)?.code == 6)
    }

    @Test(arguments: ["cniVersion", "name", "type"])
    func missingRequiredFieldIsCode7NamingIt(field: String) throws {
        var o = try #require(try JSONValue.parse(Data(Self.podmanStdin.utf8)).objectValue)
        o[field] = nil
        let missing = try #require(error(JSONValue.object(o).serialized))
        #expect(missing.code == 7)
        #expect(missing.msg.contains(field))
        o[field] = 3
        let wrong = try #require(error(JSONValue.object(o).serialized))
        #expect(wrong.code == 7)
        #expect(wrong.msg == "\(field) must be a string")
    }

    @Test func wronglyTypedFieldsAreCode7NamingThem() {
        let base = #""cniVersion":"1.0.0","name":"n","type":"t""#
        let cases: [(String, String)] = [
            (#""mtu":"1450""#, "mtu must be an integer"),
            (#""mtu":1450.5"#, "mtu must be an integer"),
            (#""ipam":"calico-ipam""#, "ipam must be an object"),
            (#""ipam":{}"#, "ipam.type is missing"),
            (#""ipam":{"type":"t","ipv4_pools":"10.0.0.0/8"}"#, "ipam.ipv4_pools must be an array"),
            (#""ipam":{"type":"t","assign_ipv6":"yes"}"#, "ipam.assign_ipv6 must be true or false"),
            (#""runtimeConfig":[]"#, "runtimeConfig must be an object"),
            (#""runtimeConfig":{"ips":"10.0.0.1/32"}"#, "runtimeConfig.ips must be an array"),
            (#""runtimeConfig":{"mac":1}"#, "runtimeConfig.mac must be a string"),
            (#""controlSocket":true"#, "controlSocket must be a string"),
            (#""prevResult":{"ips":[{"address":4}]}"#, "prevResult.ips[0].address must be a string"),
            (#""cni.dev/valid-attachments":[{"containerID":"a"}]"#, "cni.dev/valid-attachments[0] needs containerID and ifname"),
            (#""dns":{"domain":["x"]}"#, "dns.domain must be a string"),
        ]
        for (extra, msg) in cases {
            #expect(error("{\(base),\(extra)}") == CNIError(7, msg), "\(extra)")
        }
    }

    @Test(arguments: ["-net", ".net", "_net", "my net", "a/b", "../x", "nét", ""])
    func invalidNameIsCode7(name: String) throws {
        let e = try #require(error(#"{"cniVersion":"1.0.0","name":"\#(name)","type":"t"}"#))
        #expect(e.code == 7)
        #expect(e.msg.contains("name"))
    }

    @Test(arguments: ["k8s-pod-network", "a", "9", "net.v1_x-Y"])
    func validNames(name: String) throws {
        #expect(try Self.decode(#"{"cniVersion":"1.0.0","name":"\#(name)","type":"t"}"#).name == name)
    }

    /// A 0.3.1 chain's prevResult: decoded, and kept verbatim to pass on.
    @Test func prevResultRoundTrip() throws {
        let prev = #"{"cniVersion":"0.3.1","interfaces":[{"mac":"ee:ee:ee:ee:ee:ee","name":"calic440f455693"},{"name":"eth0","sandbox":"/proc/42/ns/net"}],"ips":[{"address":"10.244.7.77/32","interface":1,"version":"4"}],"routes":[{"dst":"0.0.0.0/0"}],"x-unknown":{"kept":[1,2.5,null]}}"#
        let c = try Self.decode(#"{"cniVersion":"0.3.1","name":"k8s-pod-network","type":"portmap","prevResult":\#(prev)}"#)
        let r = try #require(c.prevResult)
        #expect(r.cniVersion == "0.3.1")
        #expect(r.interfaces == [.init(name: "calic440f455693", mac: "ee:ee:ee:ee:ee:ee"), .init(name: "eth0", sandbox: "/proc/42/ns/net")])
        #expect(r.ips == [.init(address: "10.244.7.77/32", interface: 1)])
        #expect(r.routes == [.init(dst: "0.0.0.0/0")])
        #expect(c.prevResultJSON?.serialized == prev)
        // Re-encoded in the same version, the known part is what came in.
        var known = try #require(c.prevResultJSON?.objectValue)
        known["x-unknown"] = nil
        #expect(r.jsonValue(cniVersion: "0.3.1") == .object(known))
    }

    /// DEL must succeed with an empty prevResult (SPEC.md §DEL); `null` is no prevResult.
    @Test func emptyAndNullPrevResult() throws {
        let empty = try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","prevResult":{}}"#)
        #expect(empty.prevResult == CNIResult(cniVersion: "1.0.0"))
        #expect(empty.prevResultJSON == [:])
        let null = try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","prevResult":null}"#)
        #expect(null.prevResult == nil)
        #expect(null.prevResultJSON == nil)
    }

    @Test func gcValidAttachments() throws {
        let c = try Self.decode(#"""
        {"cniVersion":"1.1.0","name":"n","type":"tern",
         "cni.dev/valid-attachments":[{"containerID":"default-ctrtest1","ifname":"eth0"},{"containerID":"abc","ifname":"net1"}]}
        """#)
        #expect(c.validAttachments == [NetworkConfig.Attachment(containerID: "default-ctrtest1", ifname: "eth0"),
                                       CNIAttachment(containerID: "abc", ifname: "net1")])
        #expect(try Self.decode(#"{"cniVersion":"1.1.0","name":"n","type":"t","cni.dev/valid-attachments":[]}"#).validAttachments == [])
    }

    @Test func runtimeConfigIPsAndMAC() throws {
        let c = try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","runtimeConfig":{"ips":["10.244.7.77/32","fd00::77/128"],"mac":"0e:00:00:00:00:77"},"args":{"cni":{"ips":["10.0.0.1/32"],"mac":"0e:00:00:00:00:01"}}}"#)
        #expect(c.runtimeConfig.ips == ["10.244.7.77/32", "fd00::77/128"])
        #expect(c.runtimeConfig.mac == "0e:00:00:00:00:77")
    }

    /// CONVENTIONS.md §Args in network config: `args.cni.ips` when runtimeConfig has none.
    @Test func argsCNIIPsAsTheFallback() throws {
        let c = try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","args":{"cni":{"ips":["10.0.0.1/32"],"mac":"0e:00:00:00:00:01"},"labels":{"app":"x"}}}"#)
        #expect(c.runtimeConfig.ips == ["10.0.0.1/32"])
        #expect(c.runtimeConfig.mac == "0e:00:00:00:00:01")
        #expect(error(#"{"cniVersion":"1.0.0","name":"n","type":"t","args":{"cni":{"ips":[1]}}}"#) == CNIError(7, "args.cni.ips[0] must be a string"))
        #expect(try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","args":{"labels":{"app":"x"}}}"#).runtimeConfig.ips == [])
    }

    @Test func controlSocketInEitherSpelling() throws {
        #expect(try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","controlSocket":"/run/tern/a.sock"}"#).controlSocket == "/run/tern/a.sock")
        #expect(try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","control_socket":"/run/tern/b.sock"}"#).controlSocket == "/run/tern/b.sock")
    }

    @Test func configDNS() throws {
        let c = try Self.decode(#"{"cniVersion":"1.0.0","name":"n","type":"t","dns":{"nameservers":["10.1.0.1"],"search":["a.example"]}}"#)
        #expect(c.dns == CNIResult.DNS(nameservers: ["10.1.0.1"], search: ["a.example"]))
    }

    /// Called as the IPAM plugin: `type` is the main plugin's, `ipam.type` is ours.
    @Test func asTheIPAMPlugin() throws {
        let c = try Self.decode(#"{"cniVersion":"0.4.0","name":"br","type":"bridge","bridge":"cni0","ipam":{"type":"tern-ipam","ipv4_pools":["10.1.0.0/16"]}}"#)
        #expect(c.type == "bridge")
        #expect(c.ipam?.type == "tern-ipam")
        #expect(c.raw["bridge"] == "cni0")
    }

    /// The version is decoded, not checked: CNIVersion.check does that.
    @Test func unsupportedVersionStillDecodes() throws {
        #expect(try Self.decode(#"{"cniVersion":"0.2.0","name":"n","type":"t"}"#).cniVersion == "0.2.0")
    }
}
