import Foundation
import Model

/// A secret key read from a file (a mounted Kubernetes Secret): the content less one
/// trailing newline ("\n" or "\r\n"), at most ``maxLength`` bytes. The kinds differ only in
/// their words and limit: ``tcpMD5`` (`password: {file}`, RFC 2385) and ``bfdSHA1``
/// (`bfd.authentication.keyFile`, RFC 5880 §4.4).
public struct KeyFile: Sendable {
    /// Why a key file cannot be used, in words.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var hint: String
        public var description: String { "\(message) (\(hint))" }
    }

    /// "password file", "BFD key file": how errors name the file.
    let fileNoun: String
    /// The longest key accepted.
    public let maxLength: Int
    /// The error for a file with no key in it (its path given).
    let empty: @Sendable (String) -> Failure
    /// The error for a key over ``maxLength`` (its path and its size in words given).
    let tooLong: @Sendable (String, String) -> Failure

    /// A TCP MD5 key: 1-80 bytes (Linux's TCP_MD5SIG_MAXKEYLEN, Calico's limit).
    public static let tcpMD5 = KeyFile(
        fileNoun: "password file", maxLength: PeerSpec.maxPasswordLength,
        empty: { Failure(message: "the password file \($0) is empty", hint: "write the TCP MD5 key into it (one trailing newline is ignored)") },
        tooLong: { Failure(message: "the password in \($0) is \($1) bytes; a TCP MD5 key is at most \(PeerSpec.maxPasswordLength)",
                           hint: "use a key of 1-80 bytes (Linux TCP_MD5SIG_MAXKEYLEN, Calico's limit too)") })

    /// A BFD keyed SHA1 key: 1-20 bytes (RFC 5880 §4.4).
    public static let bfdSHA1 = KeyFile(
        fileNoun: "BFD key file", maxLength: BFDAuthenticationSettings.maxKeyLength,
        empty: { Self.sha1Failure($0, "empty") },
        tooLong: { Self.sha1Failure($0, "\($1) bytes") })

    private static func sha1Failure(_ path: String, _ what: String) -> Failure {
        Failure(message: "the BFD key in \(path) is \(what); a SHA1 key is 1-20 bytes (RFC 5880 §4.4)",
                hint: "write a key of 1-20 bytes into the file (one trailing newline is ignored)")
    }

    /// The key in the file at `path`, or why it cannot be used.
    public func read(_ path: String) -> Result<[UInt8], Failure> {
        guard FileManager.default.fileExists(atPath: path) else {
            return .failure(Failure(message: "the \(fileNoun) \(path) does not exist", hint: "mount the Secret there, or fix the path"))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Failure(message: "cannot read the \(fileNoun) \(path)", hint: "check that tern may read it (permissions)"))
        }
        var key = [UInt8](data.prefix(4096))
        if key.last == 0x0A {
            key.removeLast()
            if key.last == 0x0D { key.removeLast() }
        }
        if key.isEmpty { return .failure(empty(path)) }
        if data.count > 4096 || key.count > maxLength {
            return .failure(tooLong(path, data.count > 4096 ? "over 4096" : String(key.count)))
        }
        return .success(key)
    }
}
