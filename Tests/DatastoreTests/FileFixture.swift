import Datastore
import FileDatastore
import Foundation

/// A fresh directory on tmpfs (/dev/shm: fsync is cheap there), removed by `tearDown`.
final class FileFixture: StoreFixture, @unchecked Sendable {
    let directory: String
    let logLimit: Int

    init(logLimit: Int = 10_000) {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        directory = "\(base)/tern-filestore-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        self.logLimit = logLimit
    }

    func open() throws -> any Datastore { try FileDatastore(directory: directory, logLimit: logLimit) }

    func compact(through revision: Int64) throws {}

    func tearDown() { try? FileManager.default.removeItem(atPath: directory) }
}
