import Foundation
import Testing
@testable import TernAPI

@Suite struct ControlProtocolTests {
    @Test func requestRoundTripsWithItsVersion() throws {
        let r = ControlProtocol.Request(.routes, prefix: "10.0.0.0/8")
        let line = try ControlProtocol.line(r)
        #expect(line == #"{"apiVersion":1,"command":"routes","prefix":"10.0.0.0/8"}"#)
        #expect(try ControlProtocol.parse(ControlProtocol.Request.self, from: line) == r)
        #expect(r.validated() == .success(.routes))
    }

    @Test func responseIsOneLineAndCarriesTypedValues() throws {
        let peer = ControlProtocol.Peer(address: "192.0.2.2", port: 179, asNumber: 64512, type: "global", state: .established,
                                        since: "2026-12-03T00:00:00.000Z", prefixesReceived: 1, prefixesAccepted: 1,
                                        prefixesSent: 0, lastError: nil, info: "Established")
        let s = ControlProtocol.Status(nodeName: "n", routerID: "192.0.2.1", asNumber: 64512, role: "node", peers: [peer])
        let line = try ControlProtocol.line(ControlProtocol.Response(ok: true, status: s))
        #expect(!line.contains("\n"))
        #expect(line.hasPrefix(#"{"apiVersion":1,"ok":true,"#))
        #expect(line.contains(#""state":"Established""#))  // the RFC name on the wire
        #expect(try ControlProtocol.parse(ControlProtocol.Response.self, from: line).status == s)
    }

    @Test func errorsAreCodesWithWords() throws {
        let line = try ControlProtocol.line(ControlProtocol.Response.failure(.notFound, "no workload named p1"))
        #expect(line == #"{"apiVersion":1,"error":{"code":"notFound","message":"no workload named p1"},"ok":false}"#)
        let back = try ControlProtocol.parse(ControlProtocol.Response.self, from: line)
        #expect(back.error == APIError(.notFound, "no workload named p1"))
    }

    @Test func anotherVersionIsRefusedByName() {
        let r = ControlProtocol.Request(command: "status", apiVersion: 2)
        #expect(r.validated() == .failure(APIError(.unsupportedVersion, "this daemon speaks API version 1, the client sent 2")))
    }

    @Test func unknownCommandListsTheKnownOnes() {
        guard case .failure(let e) = ControlProtocol.Request(command: "stauts").validated() else {
            Issue.record("an unknown command was accepted"); return
        }
        #expect(e.code == .unknownCommand)
        #expect(e.message == "unknown command 'stauts' (known: status, routes, fib, workload-add, workload-del, workload-list, ipam-allocate, ipam-release, ipam-gc, bfd, policy-list, policy-explain, policy-dataplane)")
    }

    @Test func everyCommandRoundTripsByItsWireName() throws {
        for c in ControlProtocol.Command.allCases {
            let r = ControlProtocol.Request(c)
            let back = try ControlProtocol.parse(ControlProtocol.Request.self, from: ControlProtocol.line(r))
            #expect(back.validated() == .success(c))
        }
    }

    @Test func fibStatesUseTheirCLIWords() throws {
        let row = ControlProtocol.FIBRow(prefix: "10.0.0.0/26", source: "bgp", desired: nil, kernel: [], state: .stale, detail: nil)
        #expect(try ControlProtocol.line(row).contains(#""state":"stale""#))
        #expect(ControlProtocol.FIBState.allCases.map(\.rawValue) == ["installed", "pending", "error", "conflict", "stale"])
    }

    @Test func peerErrorsAreValues() throws {
        let e = ControlProtocol.PeerError(.notificationReceived, code: 6, subcode: 2, message: "received NOTIFICATION 6/2 (Cease)")
        let line = try ControlProtocol.line(e)
        #expect(line == #"{"code":6,"kind":"notificationReceived","message":"received NOTIFICATION 6/2 (Cease)","subcode":2}"#)
        #expect(try ControlProtocol.parse(ControlProtocol.PeerError.self, from: line) == e)
    }
}
