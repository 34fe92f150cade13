import CNI
import Foundation

/// `tern-cni`, installed as `/opt/cni/bin/tern` and `/opt/cni/bin/tern-ipam`: the CNI
/// plugin (SPEC.md "Section 3: Execution Protocol"). The environment and stdin in, one
/// JSON result or error on stdout, exit status 0 or 1. Behaviour by the name it was run
/// as (`tern-ipam` is the IPAM plugin), else the main plugin.
@main
struct TernCNI {
    static func main() {
        let invokedAs = URL(fileURLWithPath: CommandLine.arguments.first ?? "tern").lastPathComponent
        let input = FileHandle.standardInput.readDataToEndOfFile()
        var version = "1.0.0"   // for an error before the configuration is read
        do throws(CNIError) {
            let env = try CNIEnvironment.parse(ProcessInfo.processInfo.environment)
            if env.command == .version {
                // VERSION: stdin is only {"cniVersion": ...} (podman sends it before each ADD/DEL).
                let asked = (try? JSONDecoder().decode(VersionRequest.self, from: input))?.cniVersion ?? version
                emit(CNIVersion.versionResult(cniVersion: asked))
                exit(0)
            }
            let config = try NetworkConfig.decode(input)
            version = config.cniVersion
            try CNIVersion.check(config.cniVersion)
            try CNIVersion.checkCommand(env.command, cniVersion: config.cniVersion)   // CHECK ≥ 0.4.0, GC/STATUS ≥ 1.1.0
            let output = invokedAs.hasSuffix("ipam")
                ? try IPAMPlugin(env: env, config: config).run()
                : try Plugin(env: env, config: config, stdin: input).run()
            if let output { emit(output) }
            exit(0)
        } catch {
            emit(error.json(cniVersion: version))
            exit(1)
        }
    }

    static func emit(_ data: Data) {
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    struct VersionRequest: Decodable { var cniVersion: String? }
}
