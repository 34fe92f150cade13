import ArgumentParser
import Cluster
import Config
import Datastore
import Foundation

/// Where `tern apply/get/delete/label` find the datastore: the node's configuration file
/// (its `datastore:`), or etcd endpoints given on the command line (so an operator can manage
/// a cluster from any machine), or a file-store directory.
struct DatastoreOptions: ParsableArguments {
    @Option(name: .long, help: "The node's configuration file, for its datastore settings.")
    var config: String = "/etc/tern/tern.yaml"

    @Option(name: .long, help: "etcd client URLs, comma-separated (instead of --config).")
    var etcdEndpoints: String?

    @Option(name: .long, help: "CA certificate for https:// etcd endpoints.")
    var etcdCa: String?

    @Option(name: .long, help: "Client certificate for etcd.")
    var etcdCert: String?

    @Option(name: .long, help: "Client key for etcd.")
    var etcdKey: String?

    @Option(name: .long, help: "A file-store directory (instead of --config).")
    var datastoreDir: String?

    @Option(name: .long, help: "The key prefix (default /tern, or the config's).")
    var prefix: String?

    /// The settings from the flags, else from the configuration file.
    func settings() throws -> DatastoreSettings {
        var s: DatastoreSettings
        if let endpoints = etcdEndpoints {
            s = DatastoreSettings(type: .etcd, endpoints: endpoints.split(separator: ",").map { String($0) })
            s.caFile = etcdCa
            s.certFile = etcdCert
            s.keyFile = etcdKey
        } else if let dir = datastoreDir {
            s = DatastoreSettings(type: .file, path: dir)
        } else {
            let c: TernConfig
            do { c = try ConfigLoader.load(path: config) } catch {
                throw CLIFailure("\(error)\nno datastore: give --config FILE (with datastore:), --etcd-endpoints URL,... or --datastore-dir DIR", code: 2)
            }
            guard let d = c.datastore else {
                throw CLIFailure("\(config) names no datastore; add datastore: {type: file} or use --etcd-endpoints", code: 2)
            }
            s = d
        }
        if let prefix { s.prefix = prefix }
        return s
    }

    /// A resource client on the datastore.
    func client() throws -> ResourceClient {
        let s = try settings()
        do {
            return ResourceClient(store: try DatastoreOpener.open(s), prefix: s.prefix)
        } catch {
            throw CLIFailure("cannot open the \(s.type.rawValue) datastore: \(error)", code: 1)
        }
    }
}

/// A failure printed as is, with its exit status (1: rejected or failed, 2: usage).
struct CLIFailure: Error, CustomStringConvertible {
    let description: String
    let code: Int32
    init(_ message: String, code: Int32 = 1) {
        description = message
        self.code = code
    }
}

extension ParsableCommand {
    /// Runs `body`; a ``CLIFailure`` is printed to stderr and exits with its code.
    func failing(_ body: () throws -> Void) throws {
        do { try body() } catch let f as CLIFailure {
            FileHandle.standardError.write(Data("\(f.description)\n".utf8))
            throw ExitCode(f.code)
        }
    }
}
