import CNI
import Testing

@Suite struct CNIEnvironmentTests {
    static let podmanID = String(repeating: "3f9a", count: 16)

    /// podman 4.3.1 ADD with --mac-address and --ip (CNI.md §B2).
    static let podmanAdd: [String: String] = [
        "CNI_COMMAND": "ADD",
        "CNI_CONTAINERID": podmanID,
        "CNI_NETNS": "/run/netns/netns-6d0b2b8e-9c1f-4a1e-8d33-1c2f6e0a7b55",
        "CNI_IFNAME": "eth0",
        "CNI_ARGS": "IgnoreUnknown=1;K8S_POD_NAME=web;MAC=0e:00:00:00:00:77;IP=10.244.7.77",
        "CNI_PATH": "/usr/local/libexec/cni:/usr/libexec/cni:/usr/local/lib/cni:/usr/lib/cni:/opt/cni/bin",
    ]

    func code(_ env: [String: String]) -> UInt? {
        do {
            _ = try CNIEnvironment.parse(env)
            return nil
        } catch {
            return error.code
        }
    }

    func message(_ env: [String: String]) -> String {
        do {
            _ = try CNIEnvironment.parse(env)
            return ""
        } catch {
            return error.msg
        }
    }

    @Test func podmanAdd() throws {
        let e = try CNIEnvironment.parse(Self.podmanAdd)
        #expect(e.command == .add)
        #expect(e.containerID == Self.podmanID)
        #expect(e.netns == "/run/netns/netns-6d0b2b8e-9c1f-4a1e-8d33-1c2f6e0a7b55")
        #expect(e.ifName == "eth0")
        #expect(e.args == ["IgnoreUnknown": "1", "K8S_POD_NAME": "web", "MAC": "0e:00:00:00:00:77", "IP": "10.244.7.77"])
        #expect(e.path == ["/usr/local/libexec/cni", "/usr/libexec/cni", "/usr/local/lib/cni", "/usr/lib/cni", "/opt/cni/bin"])
        #expect(e.podNamespace == "default")
        #expect(e.podName == "web")
        #expect(e.staticIPs == ["10.244.7.77"])
        #expect(e.staticMAC == "0e:00:00:00:00:77")
    }

    /// podman calls VERSION with dummy values (CNI.md §B2).
    @Test func podmanVersion() throws {
        let e = try CNIEnvironment.parse(["CNI_COMMAND": "VERSION", "CNI_IFNAME": "dummy", "CNI_NETNS": "dummy", "CNI_PATH": "dummy"])
        #expect(e.command == .version)
        #expect(e.ifName == "dummy")
        #expect(e.netns == "dummy")
        #expect(e.containerID == "")
        #expect(e.path == ["dummy"])
    }

    @Test(arguments: [CNICommand.version, .status, .gc])
    func commandsWithoutAContainerNeedNoContainerVariables(command: CNICommand) throws {
        let e = try CNIEnvironment.parse(["CNI_COMMAND": command.rawValue])
        #expect(e.command == command)
        #expect(e.path == [])
        #expect(e.args == [:])
    }

    /// containerd 1.6 `ctr run --cni`: empty CNI_ARGS; on DEL after exit an empty CNI_NETNS (CNI.md §B2).
    @Test func containerdAddAndDel() throws {
        var env = ["CNI_COMMAND": "ADD", "CNI_CONTAINERID": "default-ctrtest1", "CNI_NETNS": "/proc/4242/ns/net",
                   "CNI_IFNAME": "eth0", "CNI_ARGS": "", "CNI_PATH": "/opt/cni/bin:/usr/lib/cni"]
        let add = try CNIEnvironment.parse(env)
        #expect(add.args == [:])
        #expect(add.podName == "default-ctrtest1")
        #expect(add.podNamespace == "default")
        #expect(add.staticIPs == [])
        #expect(add.staticMAC == nil)
        env["CNI_COMMAND"] = "DEL"
        env["CNI_NETNS"] = ""
        let del = try CNIEnvironment.parse(env)
        #expect(del.command == .del)
        #expect(del.netns == "")
        env["CNI_NETNS"] = nil
        #expect(try CNIEnvironment.parse(env).netns == "")
    }

    @Test func missingOrUnknownCommand() {
        #expect(code([:]) == 4)
        #expect(code(["CNI_COMMAND": ""]) == 4)
        #expect(code(["CNI_COMMAND": "add"]) == 4)
        #expect(code(["CNI_COMMAND": "INIT"]) == 4)
        #expect(message(["CNI_COMMAND": "INIT"]).contains("INIT"))
        #expect(message([:]).contains("CNI_COMMAND"))
    }

    @Test(arguments: ["ADD", "CHECK"], ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"])
    func addAndCheckNeedContainerNetnsAndIfname(command: String, variable: String) {
        var env = Self.podmanAdd
        env["CNI_COMMAND"] = command
        #expect(code(env) == nil)
        env[variable] = nil
        #expect(code(env) == 4)
        #expect(message(env).contains(variable))
        env[variable] = ""
        #expect(code(env) == 4)
    }

    @Test(arguments: ["CNI_CONTAINERID", "CNI_IFNAME"])
    func delNeedsContainerAndIfname(variable: String) {
        var env = Self.podmanAdd
        env["CNI_COMMAND"] = "DEL"
        env[variable] = nil
        #expect(code(env) == 4)
        #expect(message(env).contains(variable))
    }

    @Test func containerIDMustBeValid() {
        var env = Self.podmanAdd
        for bad in ["-abc", "a/b", "a b", "_x"] {
            env["CNI_CONTAINERID"] = bad
            #expect(code(env) == 4)
            #expect(message(env).contains("CNI_CONTAINERID"))
        }
        env["CNI_CONTAINERID"] = "a.b_c-D9"
        #expect(code(env) == nil)
    }

    @Test func addNeedsAUsableInterfaceNameButDelDoesNot() {
        var env = Self.podmanAdd
        env["CNI_IFNAME"] = "a-name-that-is-too-long"
        #expect(code(env) == 4)
        #expect(message(env).contains("CNI_IFNAME"))
        env["CNI_COMMAND"] = "DEL"
        #expect(code(env) == nil)
    }

    @Test func cniArgs() throws {
        #expect(try CNIEnvironment.parseArgs("") == [:])
        #expect(try CNIEnvironment.parseArgs("A=1;;B=2;") == ["A": "1", "B": "2"])
        #expect(try CNIEnvironment.parseArgs("A=") == ["A": ""])
        #expect(try CNIEnvironment.parseArgs("A=x=y") == ["A": "x=y"])
        #expect(try CNIEnvironment.parseArgs("A=1;A=2") == ["A": "2"])
        #expect(throws: CNIError.self) { try CNIEnvironment.parseArgs("IgnoreUnknown=1;oops") }
        #expect(throws: CNIError.self) { try CNIEnvironment.parseArgs("=1") }
        var env = Self.podmanAdd
        env["CNI_ARGS"] = "IgnoreUnknown=1;oops"
        #expect(code(env) == 4)
        #expect(message(env).contains("oops"))
        env["CNI_COMMAND"] = "VERSION"
        #expect(code(env) == 4)
    }

    @Test func kubernetesArgs() throws {
        var env = Self.podmanAdd
        env["CNI_ARGS"] = "IgnoreUnknown=1;K8S_POD_NAMESPACE=kube-system;K8S_POD_NAME=coredns-5d78c9869d-abcde;K8S_POD_INFRA_CONTAINER_ID=\(Self.podmanID);K8S_POD_UID=1234"
        let e = try CNIEnvironment.parse(env)
        #expect(e.podNamespace == "kube-system")
        #expect(e.podName == "coredns-5d78c9869d-abcde")
        #expect(e.staticIPs == [])
        #expect(e.staticMAC == nil)
    }

    @Test func staticIPsMayBeAList() throws {
        var env = Self.podmanAdd
        env["CNI_ARGS"] = "IP=10.244.7.77, 2001:db8::77,;MAC="
        let e = try CNIEnvironment.parse(env)
        #expect(e.staticIPs == ["10.244.7.77", "2001:db8::77"])
        #expect(e.staticMAC == nil)
    }

    @Test func emptyPodNameFallsBackToTheContainerID() throws {
        var env = Self.podmanAdd
        env["CNI_ARGS"] = "K8S_POD_NAME=;K8S_POD_NAMESPACE="
        let e = try CNIEnvironment.parse(env)
        #expect(e.podName == Self.podmanID)
        #expect(e.podNamespace == "default")
    }
}
