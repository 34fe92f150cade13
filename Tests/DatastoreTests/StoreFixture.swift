import Datastore

/// One backing store the contract runs against. Every `open()` is a separate instance on it
/// (file: another FileDatastore on the same directory, with its own lock fd, as another process
/// would be; etcd: another EtcdClient), so "two instances racing" means two real writers.
protocol StoreFixture: AnyObject, Sendable {
    func open() throws -> any Datastore
    /// Makes history up to `revision` impossible to replay (etcd: compaction; file: nothing to
    /// do, its small `logLimit` has trimmed the log already).
    func compact(through revision: Int64) throws
    /// Kills and removes what the fixture started.
    func tearDown()
}
