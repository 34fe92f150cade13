import Config
import Testing

/// The `datastore` key: a config that names only the datastore is complete; the etcd and
/// TLS keys are checked together; without a datastore the three node keys stay required.
@Suite struct DatastoreConfigTests {
    @Test func onlyTheDatastore() throws {
        let c = try ConfigLoader.parse(yaml: "datastore: {type: file, path: /tmp/tern-ds}\n")
        #expect(c.datastore == DatastoreSettings(type: .file, path: "/tmp/tern-ds"))
        #expect(c.nodeName == "")
        #expect(c.asNumber == 64512)
        #expect(!c.asNumberWritten)
        #expect(c.routerID.value == 0)
    }

    @Test func etcdWithTLS() throws {
        let c = try ConfigLoader.parse(yaml: """
            nodeName: n1
            asNumber: 64600
            datastore:
              type: etcd
              endpoints: [https://10.0.0.1:2379, 10.0.0.2:2379]
              prefix: /lab
              caFile: /etc/tern/ca.pem
              certFile: /etc/tern/c.pem
              keyFile: /etc/tern/k.pem

            """)
        let d = try #require(c.datastore)
        #expect(d.type == .etcd && d.endpoints == ["https://10.0.0.1:2379", "10.0.0.2:2379"] && d.prefix == "/lab")
        #expect(d.caFile == "/etc/tern/ca.pem" && d.certFile == "/etc/tern/c.pem" && d.keyFile == "/etc/tern/k.pem")
        #expect(c.asNumber == 64600 && c.asNumberWritten)
    }

    @Test(arguments: [
        ("datastore: {type: etcd}\n", "datastore.endpoints", "needs its endpoints"),
        ("datastore: {type: etcd, endpoints: []}\n", "datastore.endpoints", "needs its endpoints"),
        ("datastore: {type: etcd, endpoints: [ftp://x:1]}\n", "datastore.endpoints[0]", "not an etcd client URL"),
        ("datastore: {type: consul}\n", "datastore.type", "consul"),
        ("datastore: {path: relative/dir}\n", "datastore.path", "not an absolute path"),
        ("datastore: {prefix: tern/}\n", "datastore.prefix", "not a key prefix"),
        ("datastore: {certFile: /a.pem}\n", "datastore.keyFile", "go together"),
        ("datastore: {typ: file}\n", "datastore.typ", "unknown key"),
        ("routerID: 10.0.0.1\nasNumber: 64512\n", "nodeName", "missing required key \"nodeName\""),
    ])
    func invalid(yaml: String, keyPath: String, words: String) {
        do {
            _ = try ConfigLoader.parse(yaml: yaml)
            Issue.record("accepted: \(yaml)")
        } catch {
            let hit = error.errors.first { $0.keyPath == keyPath }
            #expect(hit != nil, "no error at \(keyPath): \(error)")
            #expect(hit?.message.contains(words) == true, "\(hit?.message ?? "-") lacks \(words)")
        }
    }
}

/// `ebgpMultihop` (issue 11 item 8): eBGP peers only, 1-255; a peer's TTL follows it.
@Suite struct EBGPMultihopConfigTests {
    @Test func ttlPerPeer() throws {
        let c = try ConfigLoader.parse(yaml: """
            nodeName: a
            asNumber: 64512
            routerID: 10.0.0.1
            peers:
              - {address: 10.0.0.2, asNumber: 64513}
              - {address: 10.0.1.2, asNumber: 64514, ebgpMultihop: 3}
              - {address: 10.0.0.3, asNumber: 64512}

            """)
        #expect(c.peers.map { $0.ttl(localAS: 64512) } == [1, 3, nil])
    }

    @Test(arguments: [
        ("{address: 10.0.0.3, asNumber: 64512, ebgpMultihop: 2}", "applies to eBGP peers"),
        ("{address: 10.0.0.2, asNumber: 64513, ebgpMultihop: 0}", "out of range 1-255"),
        ("{address: 10.0.0.2, asNumber: 64513, ebgpMultihop: 256}", "out of range 1-255"),
    ])
    func invalid(peer: String, words: String) {
        do {
            _ = try ConfigLoader.parse(yaml: "nodeName: a\nasNumber: 64512\nrouterID: 10.0.0.1\npeers:\n  - \(peer)\n")
            Issue.record("accepted \(peer)")
        } catch {
            #expect(error.errors.contains { $0.keyPath == "peers[0].ebgpMultihop" && $0.message.contains(words) }, "\(error)")
        }
    }
}
