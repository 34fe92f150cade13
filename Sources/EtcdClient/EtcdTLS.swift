/// TLS material for `https://` endpoints: PEM files handed to libcurl
/// (`CURLOPT_CAINFO`, `CURLOPT_SSLCERT`, `CURLOPT_SSLKEY`).
public struct EtcdTLS: Sendable, Hashable {
    /// CA bundle that signed etcd's server certificate; nil uses the system's store.
    public var caFile: String?
    /// Client certificate for etcd's `--client-cert-auth`; nil for none.
    public var certFile: String?
    /// Private key of `certFile`.
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}
