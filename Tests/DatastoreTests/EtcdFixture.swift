import Datastore
import EtcdClient
import EtcdDatastore
import EtcdTestSupport

/// A real etcd of its own (EtcdServer), killed and removed by `tearDown`.
final class EtcdFixture: StoreFixture, @unchecked Sendable {
    let server: EtcdServer

    init() throws { server = try EtcdServer() }

    func open() throws -> any Datastore { EtcdDatastore(client: try server.client()) }

    func compact(through revision: Int64) throws { try server.client().compact(revision: revision, physical: true) }

    func tearDown() { server.stop() }
}
