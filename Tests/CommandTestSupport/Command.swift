import Foundation

/// Runs a command found on PATH (`/usr/bin/env ARGS...`) for a test to set up or check
/// kernel state (`ip`, `nft`, `conntrack`; never what the code under test does itself);
/// returns its exit status and stdout + stderr. Shared by the kernel test targets.
@discardableResult
public func runCommand(_ args: [String]) throws -> (status: Int32, output: String) {
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
