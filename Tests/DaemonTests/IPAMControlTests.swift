import Cluster
import Config
import FileDatastore
import Foundation
import IPCore
import Model
import Testing
@testable import Daemon
import TernAPI

/// `ipam-allocate` / `ipam-release` on the control socket (what the CNI plugin will call):
/// addresses from the node's own block in a real file datastore, idempotent per handle,
/// freed and reused; clear errors without a datastore or for an address in use.
@Suite(.serialized) struct IPAMControlTests {
    func allocate(_ c: ControlClient, _ handle: String, _ ip: String? = nil) throws -> ControlProtocol.Response {
        try c.send(.init(.ipamAllocate, ipam: .init(handle: handle, address: ip)))
    }

    @Test func allocateReleaseReuse() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        let store = try FileDatastore(directory: "\(dir)/ds")
        try ResourceClient(store: store, prefix: "/tern").apply(Resource(
            metadata: ResourceMetadata(name: "pods"), spec: .ipPool(IPPoolSpec(cidr: IPPrefix("10.233.0.0/24")!, blockSize: 28))))
        let yaml = """
            nodeName: ipam-a
            routerID: 127.0.0.33
            listenAddress: 127.0.0.33
            listenPort: \(SpeakerLoopbackTests.port)
            controlSocket: \(dir)/ipam-a.sock
            dataplane: {enabled: false}
            datastore: {type: file, path: \(dir)/ds}
            logLevel: critical

            """
        let n = try SpeakerLoopbackTests.Node(yaml, name: "ipam-a", dir: dir)
        defer { n.stop() }
        let c = ControlClient(path: "\(dir)/ipam-a.sock")
        #expect(SpeakerLoopbackTests.eventually { (try? c.send(.init(.status)))?.status?.datastore?.blocks.isEmpty == false })
        let block = try #require(IPPrefix(try c.send(.init(.status)).status?.datastore?.blocks.first ?? ""))

        let a1 = try allocate(c, "net.c1")
        let addr1 = try #require(a1.ipam?.first)
        #expect(a1.ok && addr1.block == block.description && addr1.borrowed == nil)
        #expect(block.contains(IPPrefix(addr1.address)!))
        #expect(try allocate(c, "net.c1").ipam?.first?.address == addr1.address)   // a retried ADD
        let addr2 = try #require(try allocate(c, "net.c2").ipam?.first?.address)
        #expect(addr2 != addr1.address)
        // A static address already held is refused, with the reason.
        let taken = try allocate(c, "net.c3", addr2)
        #expect(taken.error?.code == .conflict, "\(String(describing: taken.error))")
        // Release frees it; the next handle gets the lowest free address again.
        #expect(try c.send(.init(.ipamRelease, ipam: .init(handle: "net.c1"))).ipam?.map(\.address) == [addr1.address])
        #expect(try c.send(.init(.ipamRelease, ipam: .init(handle: "net.c1"))).ipam == [])   // idempotent
        #expect(try allocate(c, "net.c4").ipam?.first?.address == addr1.address)
    }

    @Test func withoutADatastoreItSaysSo() throws {
        let dir = try SpeakerLoopbackTests.tempDir()
        var yaml = SpeakerLoopbackTests.config(name: "ipam-b", ip: "127.0.0.34", block: "10.244.34.0/26", peers: [], dir: dir)
        yaml += "dataplane: {enabled: false}\n"
        let n = try SpeakerLoopbackTests.Node(yaml, name: "ipam-b", dir: dir)
        defer { n.stop() }
        let r = try allocate(ControlClient(path: "\(dir)/ipam-b.sock"), "net.c1")
        #expect(r.error?.code == .unavailable && r.error?.message.contains("IPAM needs a datastore") == true)
        let bad = try ControlClient(path: "\(dir)/ipam-b.sock").send(.init(.ipamAllocate))
        #expect(bad.error?.code == .badRequest)
    }
}
