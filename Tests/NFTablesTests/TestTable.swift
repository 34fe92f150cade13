import Foundation
import NFTables

/// The kernel tests change the current namespace's ruleset: they need root.
let runningAsRoot = getuid() == 0
let needsRoot = "needs root to change the nftables ruleset (run the suite as root)"

/// A uniquely named scratch table `inet terntest<pid>x<n>` in the current namespace;
/// `remove()` (in a defer) deletes it so nothing is left behind.
struct TestTable {
    nonisolated(unsafe) static var counter = 0
    static let lock = NSLock()
    let name: String
    let family = "inet"
    init() {
        Self.lock.lock()
        Self.counter += 1
        name = "terntest\(getpid())x\(Self.counter)"
        Self.lock.unlock()
    }
    /// `inet NAME`, for commands.
    var ref: String { "\(family) \(name)" }
    func remove() {
        if let c = try? NFTContext() { try? c.run("delete table \(ref)") }
    }
}

/// Runs a command for checking kernel state (never used by the library), returns status and output.
@discardableResult
func shell(_ args: String...) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}
