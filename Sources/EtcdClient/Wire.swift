import Foundation

/// The JSON shapes of etcd 3.4's gRPC gateway (proto3 JSON): `bytes` are standard base64 with
/// padding, int64 are JSON strings, fields holding their default value (0, false, empty) are
/// omitted — hence every field is optional here and `?? 0` / `?? false` at the use sites.
enum Wire {
    /// An int64 the gateway sends as a string (`"revision":"2"`); a bare number is accepted too.
    struct I64: Decodable {
        let value: Int64
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) {
                guard let v = Int64(s) else {
                    throw DecodingError.dataCorruptedError(in: c, debugDescription: "\"\(s)\" is not an int64")
                }
                value = v
            } else {
                value = try c.decode(Int64.self)
            }
        }
    }

    /// etcdserverpb.ResponseHeader.
    struct Header: Decodable {
        let revision: I64?
    }

    /// mvccpb.KeyValue.
    struct KV: Decodable {
        let key: Data?
        let value: Data?
        let createRevision: I64?
        let modRevision: I64?
        let version: I64?
        let lease: I64?
    }

    /// RangeResponse (`/v3/kv/range`, and `response_range` inside a txn).
    struct RangeResponse: Decodable {
        let header: Header?
        let kvs: [KV]?
        let more: Bool?
        let count: I64?
    }

    /// PutResponse (`/v3/kv/put`).
    struct PutResponse: Decodable {
        let header: Header?
    }

    /// DeleteRangeResponse (`/v3/kv/deleterange`).
    struct DeleteRangeResponse: Decodable {
        let header: Header?
        let deleted: I64?
    }

    /// TxnResponse (`/v3/kv/txn`): `succeeded` absent means false.
    struct TxnResponse: Decodable {
        let header: Header?
        let succeeded: Bool?
        let responses: [ResponseOp]?
    }

    /// ResponseOp: exactly one of the three is set.
    struct ResponseOp: Decodable {
        let responseRange: RangeResponse?
        let responsePut: PutResponse?
        let responseDeleteRange: DeleteRangeResponse?
    }

    /// CompactionResponse (`/v3/kv/compaction`).
    struct CompactionResponse: Decodable {
        let header: Header?
    }

    /// LeaseGrantResponse (`/v3/lease/grant`).
    struct LeaseGrantResponse: Decodable {
        let header: Header?
        let ID: I64?
        let TTL: I64?
        let error: String?
    }

    /// LeaseKeepAliveResponse; the gateway streams it, wrapped as `{"result":{…}}`.
    struct LeaseKeepAliveResponse: Decodable {
        let ID: I64?
        let TTL: I64?
    }

    /// LeaseRevokeResponse (`/v3/lease/revoke`).
    struct LeaseRevokeResponse: Decodable {
        let header: Header?
    }

    /// One line of a gateway stream: `{"result":{…}}` or `{"error":{…}}`.
    struct StreamLine<Result: Decodable>: Decodable {
        let result: Result?
        let error: StreamError?
    }

    /// The error object grpc-gateway puts into a stream.
    struct StreamError: Decodable {
        let grpcCode: Int?
        let httpCode: Int?
        let message: String?
        let httpStatus: String?
    }

    /// WatchResponse (`/v3/watch`).
    struct WatchResponse: Decodable {
        let header: Header?
        let created: Bool?
        let canceled: Bool?
        let compactRevision: I64?
        let cancelReason: String?
        let events: [Event]?
    }

    /// mvccpb.Event: `type` absent means PUT.
    struct Event: Decodable {
        let type: String?
        let kv: KV?
        let prevKv: KV?
    }

    /// The body of a non-200 answer: `{"error":"…","message":"…","code":5}`.
    struct ErrorBody: Decodable {
        let error: String?
        let message: String?
        let code: Int?
    }

    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase   // "create_revision" -> createRevision; "ID", "TTL" unchanged
        d.dataDecodingStrategy = .base64
        return d
    }

    /// Decodes `data` as `T`, or a precise "what was wrong" for `EtcdError.malformedResponse`.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) -> Result<T, MalformedDetail> {
        do {
            return .success(try decoder().decode(T.self, from: data))
        } catch let error as DecodingError {
            return .failure(MalformedDetail(text: describe(error) + "; body: " + excerpt(data)))
        } catch {
            return .failure(MalformedDetail(text: "\(error); body: " + excerpt(data)))
        }
    }

    struct MalformedDetail: Error {
        let text: String
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ ctx: DecodingError.Context) -> String {
            let p = ctx.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return p.isEmpty ? "top level" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case .typeMismatch(let t, let ctx): return "\(path(ctx)): expected \(t): \(ctx.debugDescription)"
        case .valueNotFound(let t, let ctx): return "\(path(ctx)): missing \(t)"
        case .keyNotFound(let k, let ctx): return "\(path(ctx)): missing key \(k.stringValue)"
        case .dataCorrupted(let ctx): return "\(path(ctx)): \(ctx.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    /// The first 200 bytes of a body, for error messages.
    static func excerpt(_ data: Data) -> String {
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        return data.count > 200 ? text + "…" : text
    }

    /// Standard base64 with padding, as the gateway requires for `bytes` fields.
    static func b64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
    static func b64(_ key: String) -> String { Data(key.utf8).base64EncodedString() }

    /// etcd's prefix range end: the prefix with its last byte incremented after dropping trailing
    /// 0xFF bytes (`/tern/` -> `/tern0`); `[0]` (every key >= key) when nothing is left.
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}

extension Wire.KV {
    /// The public value; the key must be UTF-8 (see `KeyValue`).
    func keyValue() -> Result<KeyValue, Wire.MalformedDetail> {
        let keyData = key ?? Data()
        guard let keyString = String(data: keyData, encoding: .utf8) else {
            return .failure(Wire.MalformedDetail(text: "key \(keyData.base64EncodedString()) (base64) is not UTF-8"))
        }
        return .success(KeyValue(
            key: keyString, value: value ?? Data(),
            createRevision: createRevision?.value ?? 0, modRevision: modRevision?.value ?? 0,
            version: version?.value ?? 0, lease: lease?.value ?? 0))
    }
}
