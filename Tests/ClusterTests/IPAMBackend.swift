import Cluster
import Datastore
import EtcdDatastore
import EtcdTestSupport
import FileDatastore
import Foundation
import IPCore
import Model

/// A real store for one IPAM test: a FileDatastore directory, or a real etcd started for
/// the test (stopped by pid in ``close()``). ``client()`` opens a fresh store instance each
/// time (its own file descriptors or HTTP connections, as another process would).
final class IPAMBackend: @unchecked Sendable {
    let name: String
    let prefix = "/tern"
    private let open: @Sendable () throws -> any Datastore
    private let cleanup: @Sendable () -> Void

    private init(name: String, open: @escaping @Sendable () throws -> any Datastore, cleanup: @escaping @Sendable () -> Void) {
        self.name = name
        self.open = open
        self.cleanup = cleanup
    }

    /// A fresh FileDatastore directory, on tmpfs (/dev/shm) when there is one, as
    /// EtcdServer's data directory: the store fsyncs every write, cheap there.
    static func file() throws -> IPAMBackend {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory()
        let dir = base + "tern-ipam-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return IPAMBackend(name: "file", open: { try FileDatastore(directory: dir) },
                           cleanup: { try? FileManager.default.removeItem(atPath: dir) })
    }

    /// A real etcd of its own.
    static func etcd() throws -> IPAMBackend {
        let server = try EtcdServer()
        return IPAMBackend(name: "etcd", open: { try EtcdDatastore(endpoints: [server.clientURL], tls: nil) },
                           cleanup: { server.stop() })
    }

    /// A client over a new store instance.
    func client() throws -> ResourceClient { ResourceClient(store: try open(), prefix: prefix) }

    /// An allocator over a new store instance.
    func allocator() throws -> AddressAllocator { AddressAllocator(client: try client()) }

    func close() { cleanup() }

    /// Runs `body` against a fresh backend and closes it.
    static func with(_ make: () throws -> IPAMBackend, _ body: (IPAMBackend) throws -> Void) throws {
        let b = try make()
        defer { b.close() }
        try body(b)
    }
}

/// Addresses held at one moment by concurrent workers: inserting one already held is a
/// duplicate handed out.
final class HeldAddresses: @unchecked Sendable {
    private let lock = NSLock()
    private var held: [IPPrefix: String] = [:]
    private(set) var duplicates: [String] = []
    private(set) var errors: [String] = []
    private(set) var all: [IPPrefix] = []

    func take(_ p: IPPrefix, by handle: String) {
        lock.withLock {
            if let other = held[p] { duplicates.append("\(p) to \(handle) while \(other) held it") }
            held[p] = handle
            all.append(p)
        }
    }

    func drop(_ p: IPPrefix) { _ = lock.withLock { held.removeValue(forKey: p) } }
    func fail(_ e: String) { lock.withLock { errors.append(e) } }
    var current: [IPPrefix: String] { lock.withLock { held } }
}
