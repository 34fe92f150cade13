import Datastore
import Foundation

/// Durable whole-file replacement, the file store's own (``FileIO/writeAtomically(_:dir:name:)``:
/// temp file in the same directory, fsync, rename, fsync of the directory), for other state
/// files that must never be torn (the daemon's workload state file).
public enum AtomicFile {
    /// Replaces the file at `path`. Throws ``DatastoreError/unavailable(_:)`` naming the
    /// path and the errno text.
    public static func write(_ bytes: [UInt8], to path: String) throws(DatastoreError) {
        let url = URL(fileURLWithPath: path)
        try FileIO.writeAtomically(bytes, dir: url.deletingLastPathComponent().path, name: url.lastPathComponent)
    }
}
