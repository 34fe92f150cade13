import CNI
import Foundation
import Testing

@Suite struct CNIErrorTests {
    @Test func wellKnownCodesAreTheSpecs() {
        #expect(CNIError.incompatibleVersion == 1)
        #expect(CNIError.unsupportedField == 2)
        #expect(CNIError.unknownContainer == 3)
        #expect(CNIError.invalidEnvironment == 4)
        #expect(CNIError.ioFailure == 5)
        #expect(CNIError.decodeFailure == 6)
        #expect(CNIError.invalidNetworkConfig == 7)
        #expect(CNIError.tryAgainLater == 11)
        #expect(CNIError.pluginNotAvailable == 50)
        #expect(CNIError.pluginNotAvailableLimited == 51)
    }

    @Test func ternCodesArePluginSpecific() {
        let codes = [CNIError.daemonUnreachable, CNIError.ipamExhausted, CNIError.addressInUse,
                     CNIError.kernelError, CNIError.daemonRefused]
        #expect(codes == [100, 101, 102, 103, 104])
    }

    @Test func jsonWithDetails() {
        let e = CNIError(CNIError.tryAgainLater, "tern: simulated failure", details: "spy plugin asked to fail")
        let s = String(decoding: e.json(cniVersion: "1.0.0"), as: UTF8.self)
        #expect(s == #"{"cniVersion":"1.0.0","code":11,"details":"spy plugin asked to fail","msg":"tern: simulated failure"}"#)
    }

    @Test func jsonWithoutDetailsLeavesThemOut() {
        let e = CNIError(7, "Invalid Configuration")
        #expect(String(decoding: e.json(cniVersion: "1.1.0"), as: UTF8.self)
            == #"{"cniVersion":"1.1.0","code":7,"msg":"Invalid Configuration"}"#)
        let empty = CNIError(7, "Invalid Configuration", details: "")
        #expect(String(decoding: empty.json(cniVersion: "1.1.0"), as: UTF8.self)
            == #"{"cniVersion":"1.1.0","code":7,"msg":"Invalid Configuration"}"#)
    }

    @Test func jsonEscapesTheMessage() {
        let e = CNIError(5, "cannot read \"/etc/x\"\n")
        #expect(String(decoding: e.json(cniVersion: "1.0.0"), as: UTF8.self)
            == #"{"cniVersion":"1.0.0","code":5,"msg":"cannot read \"/etc/x\"\n"}"#)
    }

    @Test func description() {
        #expect(CNIError(1, "a", details: "b").description == "a; b")
        #expect(CNIError(1, "a").description == "a")
    }
}
