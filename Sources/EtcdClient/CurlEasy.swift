import CCurl
import Foundation

/// curl_global_init, once per process before the first handle (Swift initialises globals lazily
/// and exactly once, so the first handle on any thread runs it).
private let curlGlobal: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

/// Receives a transfer's body bytes from libcurl's write callback. Returning false aborts the
/// transfer (libcurl then reports CURLE_WRITE_ERROR).
final class CurlSink {
    let onData: (UnsafeRawBufferPointer) -> Bool
    init(_ onData: @escaping (UnsafeRawBufferPointer) -> Bool) { self.onData = onData }
}

/// How a transfer over one endpoint ended, before HTTP status and JSON are looked at.
enum CurlOutcome {
    /// A complete HTTP response.
    case response(status: Int, body: Data)
    /// Nothing of the request left this host (connect refused/timed out, DNS, TLS handshake):
    /// safe to try the next endpoint for any request.
    case notSent(String)
    /// The request went out (at least partly) and the transfer then failed.
    case failedAfterSend(String)
    /// CURLOPT_TIMEOUT_MS expired after the request was sent.
    case timedOut
}

/// One libcurl easy handle: its connection cache is kept between requests (HTTP/1.1
/// keep-alive), so it must be used by one thread at a time — `EtcdClient` serialises on a lock
/// and each `EtcdWatch` has its own.
final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    private let headers: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init() {
        _ = curlGlobal
        guard let h = curl_easy_init() else { fatalError("curl_easy_init failed (out of memory)") }
        handle = h
        var list = curl_slist_append(nil, "Content-Type: application/json")
        list = curl_slist_append(list, "Expect:")   // no 100-continue round trip for larger bodies
        headers = list
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headers)
        errorBuffer.deallocate()
    }

    /// Resets the handle (keeping its connections) and sets up `POST url` with a JSON body.
    /// `timeout` nil means none (a watch stream). The sink must outlive the transfer.
    func prepare(url: String, body: Data, timeoutMS: Int?, connectTimeoutMS: Int, tls: EtcdTLS?, sink: CurlSink) {
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        tern_curl_setopt_str(handle, CURLOPT_URL, url)
        tern_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)          // threads: no SIGALRM for timeouts
        tern_curl_setopt_str(handle, CURLOPT_PROXY, "")             // never an http_proxy from the environment
        tern_curl_setopt_long(handle, CURLOPT_POST, 1)
        tern_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
        body.withUnsafeBytes { raw in
            // COPYPOSTFIELDS copies: the body need not outlive this call.
            _ = tern_curl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(errorBuffer)))
        }
        tern_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headers)
        tern_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        tern_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, connectTimeoutMS)
        if let timeoutMS { tern_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMS) }
        if let tls {
            if let ca = tls.caFile { tern_curl_setopt_str(handle, CURLOPT_CAINFO, ca) }
            if let cert = tls.certFile { tern_curl_setopt_str(handle, CURLOPT_SSLCERT, cert) }
            if let key = tls.keyFile { tern_curl_setopt_str(handle, CURLOPT_SSLKEY, key) }
        }
        tern_curl_setopt_writefn(handle) { data, size, count, user in
            guard let user else { return 0 }
            let n = size * count
            let sink = Unmanaged<CurlSink>.fromOpaque(user).takeUnretainedValue()
            return sink.onData(UnsafeRawBufferPointer(start: data, count: n)) ? n : 0
        }
        tern_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
    }

    /// Runs a prepared request to completion (blocking).
    func post(url: String, body: Data, timeoutMS: Int, connectTimeoutMS: Int, tls: EtcdTLS?) -> CurlOutcome {
        var received = Data()
        let sink = CurlSink { bytes in
            received.append(contentsOf: bytes)
            return true
        }
        prepare(url: url, body: body, timeoutMS: timeoutMS, connectTimeoutMS: connectTimeoutMS, tls: tls, sink: sink)
        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        return outcome(code, body: received)
    }

    /// Classifies a finished transfer.
    func outcome(_ code: CURLcode, body: Data) -> CurlOutcome {
        if code == CURLE_OK { return .response(status: responseCode, body: body) }
        let message = self.message(code)
        if requestBytesSent == 0 { return .notSent(message) }
        if code == CURLE_OPERATION_TIMEDOUT { return .timedOut }
        return .failedAfterSend(message)
    }

    /// CURLINFO_RESPONSE_CODE (0 before a status line arrived).
    var responseCode: Int {
        var status = 0
        tern_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return status
    }

    /// CURLINFO_REQUEST_SIZE: bytes of request sent; 0 means the server cannot have seen it.
    var requestBytesSent: Int {
        var size = 0
        tern_curl_getinfo_long(handle, CURLINFO_REQUEST_SIZE, &size)
        return size
    }

    /// libcurl's own words: the error buffer (with host and port), else curl_easy_strerror.
    func message(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }
}
