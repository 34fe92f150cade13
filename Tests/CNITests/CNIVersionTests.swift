import CNI
import Foundation
import Testing

@Suite struct CNIVersionTests {
    @Test func supportedVersionsPass() throws {
        for v in ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"] { try CNIVersion.check(v) }
        #expect(CNIVersion.supported == ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"])
    }

    @Test(arguments: ["0.1.0", "0.2.0", "1.2.0", "2.0.0", "", "1.0"])
    func unsupportedVersionIsCode1NamingTheSupportedOnes(v: String) {
        do {
            try CNIVersion.check(v)
            Issue.record("\(v) accepted")
        } catch {
            #expect(error.code == 1)
            #expect(error.msg.contains("0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0"))
        }
    }

    @Test func versionResult() {
        #expect(String(decoding: CNIVersion.versionResult(cniVersion: "1.0.0"), as: UTF8.self)
            == #"{"cniVersion":"1.0.0","supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]}"#)
    }

    @Test func requestedVersion() throws {
        #expect(try CNIVersion.requested(stdin: Data(#"{"cniVersion":"1.0.0"}"#.utf8)) == "1.0.0")
        #expect(try CNIVersion.requested(stdin: Data("{}".utf8)) == "0.1.0")
        #expect(try CNIVersion.requested(stdin: Data(" \n".utf8)) == "0.1.0")
        #expect(throws: CNIError(6, "the JSON on stdin is not an object")) {
            try CNIVersion.requested(stdin: Data("[]".utf8))
        }
        #expect(throws: CNIError(7, "cniVersion must be a string")) {
            try CNIVersion.requested(stdin: Data(#"{"cniVersion":1}"#.utf8))
        }
    }

    @Test func commandsByVersion() {
        #expect(!CNIVersion.hasCheck("0.3.1"))
        #expect(CNIVersion.hasCheck("0.4.0"))
        #expect(CNIVersion.hasCheck("1.0.0"))
        #expect(!CNIVersion.hasGCAndStatus("1.0.0"))
        #expect(CNIVersion.hasGCAndStatus("1.1.0"))
        #expect(CNIVersion.allows(.add, cniVersion: "0.3.0"))
        #expect(CNIVersion.allows(.del, cniVersion: "0.3.0"))
        #expect(!CNIVersion.allows(.status, cniVersion: "0.4.0"))
        #expect(!CNIVersion.allows(.check, cniVersion: "garbage"))
    }

    /// Like libcni's pkg/skel: an operation the config's version lacks is code 1.
    @Test func commandTheVersionLacksIsCode1() throws {
        try CNIVersion.checkCommand(.check, cniVersion: "0.4.0")
        try CNIVersion.checkCommand(.gc, cniVersion: "1.1.0")
        for (command, version) in [(CNICommand.check, "0.3.1"), (.gc, "1.0.0"), (.status, "0.4.0")] {
            do {
                try CNIVersion.checkCommand(command, cniVersion: version)
                Issue.record("\(command) allowed by \(version)")
            } catch {
                #expect(error.code == 1)
                #expect(error.msg == "config version \(version) does not allow \(command.rawValue)")
            }
        }
    }

    @Test func compare() {
        #expect(CNIVersion.compare("0.3.1", "0.4.0") == -1)
        #expect(CNIVersion.compare("1.10.0", "1.9.0") == 1)
        #expect(CNIVersion.compare("1.0.0", "1.0.0") == 0)
        #expect(CNIVersion.compare("1.0", "1.0.0") == nil)
        #expect(CNIVersion.compare("1.0.x", "1.0.0") == nil)
        #expect(CNIVersion.resultHasIPVersion("0.4.0"))
        #expect(!CNIVersion.resultHasIPVersion("1.0.0"))
    }
}
