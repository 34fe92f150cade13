import Testing
@testable import Config

/// `policy`: on with a datastore by default, the keys, errors at their key path.
@Suite struct PolicyConfigTests {
    @Test func onWithADatastoreOffWithout() throws {
        let plain = try ConfigLoader.parse(yaml: withRequired(""))
        #expect(plain.policy == PolicySettings() && !plain.policyEnabled)
        let ds = try ConfigLoader.parse(yaml: withRequired("datastore: {type: file, path: /tmp/ds}\n"))
        #expect(ds.policyEnabled)
        let off = try ConfigLoader.parse(yaml: withRequired("datastore: {type: file, path: /tmp/ds}\npolicy: {enabled: false}\n"))
        #expect(!off.policyEnabled)
    }

    @Test func readsEveryKey() throws {
        let c = try ConfigLoader.parse(yaml: withRequired("policy: {enabled: true, cutDeniedConnections: false, resyncInterval: 5, workloadInterfacePrefix: veth}\n"))
        #expect(c.policyEnabled && !c.policy.cutDeniedConnections && c.policy.resyncInterval == 5 && c.policy.workloadInterfacePrefix == "veth")
    }

    @Test func badValues() throws {
        let prefix = try onlyError(withRequired("policy: {workloadInterfacePrefix: \"cali*\"}\n"))
        #expect(prefix.keyPath == "policy.workloadInterfacePrefix" && prefix.message.contains("not an interface name prefix"), "\(prefix)")
        let resync = try onlyError(withRequired("policy: {resyncInterval: 0}\n"))
        #expect(resync.keyPath == "policy.resyncInterval", "\(resync)")
        let typo = try onlyError(withRequired("policy: {cutDeniedConnection: false}\n"))
        #expect(typo.keyPath.hasPrefix("policy"), "\(typo)")
    }
}
