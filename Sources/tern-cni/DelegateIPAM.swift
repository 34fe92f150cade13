import CNI
import Foundation
import IPCore

/// Another IPAM plugin (`host-local`, `static`, ...) run as the spec says a plugin calls
/// its IPAM plugin (SPEC.md "Delegated plugin protocol"): found by `ipam.type` in
/// CNI_PATH, the same environment and the same network configuration on stdin.
struct DelegateIPAM {
    let type: String
    let path: [String]
    let config: Data

    /// Runs the delegate's `command`; its result on ADD.
    func run(_ command: CNICommand) throws(CNIError) -> Data {
        guard let exe = path.map({ "\($0)/\(type)" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CNIError(CNIError.invalidNetworkConfig, "failed to find plugin \"\(type)\" in path [\(path.joined(separator: " "))]")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        var env = ProcessInfo.processInfo.environment
        env["CNI_COMMAND"] = command.rawValue
        p.environment = env
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        do { try p.run() } catch {
            throw CNIError(CNIError.ioFailure, "cannot run IPAM plugin \(exe): \(error)")
        }
        input.fileHandleForWriting.write(config)
        try? input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            // The delegate's error is the runtime's to see, code and words unchanged.
            if let v = try? JSONValue.parse(out), let code = v["code"]?.intValue {
                throw CNIError(UInt(max(0, code)), v["msg"]?.stringValue ?? "IPAM plugin \(type) failed", details: v["details"]?.stringValue)
            }
            throw CNIError(CNIError.ioFailure, "IPAM plugin \(type) exited with status \(p.terminationStatus)",
                           details: String(decoding: out, as: UTF8.self))
        }
        return out
    }

    /// ADD: the delegate's addresses.
    func allocate() throws(CNIError) -> [IPPrefix] {
        let out = try run(.add)
        let result = try CNIResult.decode(try JSONValue.parse(out))
        // The pod gets host routes only (Calico's layout): keep each address, as a host prefix.
        return result.ips.compactMap { ip in
            InterfaceAddress(ip.address).map { IPPrefix.host($0.address) }
        }
    }
}
