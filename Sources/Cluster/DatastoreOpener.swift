import Config
import Datastore
import EtcdClient
import EtcdDatastore
import FileDatastore

/// Opens the store a configuration's `datastore:` names.
public enum DatastoreOpener {
    /// The file store in `settings.path`, or an etcd store on `settings.endpoints` (with
    /// TLS files when given). Opening etcd does not contact it: the first call does.
    public static func open(_ settings: DatastoreSettings) throws(DatastoreError) -> any Datastore {
        switch settings.type {
        case .file:
            return try FileDatastore(directory: settings.path)
        case .etcd:
            let tls = settings.caFile != nil || settings.certFile != nil || settings.keyFile != nil
                ? EtcdTLS(caFile: settings.caFile, certFile: settings.certFile, keyFile: settings.keyFile) : nil
            return try EtcdDatastore(endpoints: settings.endpoints, tls: tls)
        }
    }
}
