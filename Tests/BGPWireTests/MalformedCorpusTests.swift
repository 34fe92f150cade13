import Foundation
import Testing
@testable import BGPWire

/// One case of `Fixtures/malformed/corpus.json` (schema: interop/corpus/README.md).
struct CorpusCase: Decodable, Sendable {
    struct Context: Decodable, Sendable {
        var fourOctetAS: Bool
        var addPath: [String]
        var extendedMessage: Bool
        var peerIsExternal: Bool
    }
    struct Expect: Decodable, Sendable {
        var action: String
        var code: UInt8?
        var subcode: UInt8?
        var data: String?
        var withdrawn: [String]?
        var discardedAttribute: UInt8?
    }
    var name: String
    var description: String
    var rfc: String
    var hex: String
    var context: Context
    var expect: Expect

    /// The CodecContext the case is to be decoded with; nil when a family name is unknown.
    var codecContext: CodecContext? {
        var families = Set<AddressFamily>()
        for n in context.addPath {
            guard let f = AddressFamily(name: n) else { return nil }
            families.insert(f)
        }
        return CodecContext(fourOctetAS: context.fourOctetAS, extendedMessage: context.extendedMessage,
                            addPath: families, peerIsExternal: context.peerIsExternal)
    }
}

enum MalformedCorpus {
    /// Every case, loaded once. A missing or unreadable corpus yields no cases, which the
    /// `corpusIsComplete` test turns into a failure.
    static let cases: [CorpusCase] = {
        guard let url = Bundle.module.url(forResource: "corpus", withExtension: "json", subdirectory: "Fixtures/malformed"),
              let data = try? Data(contentsOf: url),
              let cases = try? JSONDecoder().decode([CorpusCase].self, from: data) else { return [] }
        return cases
    }()

    static let byName: [String: CorpusCase] = Dictionary(cases.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })

    static var names: [String] { cases.map(\.name) }
}

/// The outcome of framing + decoding one corpus message.
enum CorpusOutcome {
    case decoded(DecodedMessage)
    case reset(MessageError)
    /// The framer wanted more bytes, or bytes were left over: the case itself is broken.
    case framing(String)
}

func frameAndDecode(_ bytes: [UInt8], context: CodecContext) -> CorpusOutcome {
    var framer = MessageFramer(maxMessageLength: context.maxMessageLength)
    framer.append(bytes)
    do {
        guard let frame = try framer.next() else {
            return .framing("framer returned no frame for \(bytes.count) bytes")
        }
        guard framer.bufferedByteCount == 0 else {
            return .framing("\(framer.bufferedByteCount) bytes left after the frame")
        }
        #expect(frame.bytes == bytes)
        return .decoded(try BGPMessage.decode(frame, context: context))
    } catch {
        return .reset(error)
    }
}

/// The CIDR strings of an UPDATE's prefixes, path identifiers dropped, sorted (a multiset).
func prefixMultiset(_ prefixes: [NLRI]) -> [String] {
    prefixes.map { $0.prefix.description }.sorted()
}

@Suite struct MalformedCorpusTests {
    @Test func corpusIsComplete() {
        #expect(MalformedCorpus.cases.count == 178)
        #expect(MalformedCorpus.byName.count == MalformedCorpus.cases.count, "case names must be unique")
        // Every action of the schema is exercised.
        let actions = Set(MalformedCorpus.cases.map(\.expect.action))
        #expect(actions == ["ok", "session-reset", "treat-as-withdraw", "attribute-discard"])
    }

    @Test(arguments: MalformedCorpus.names)
    func corpusCase(_ name: String) throws {
        let c = try #require(MalformedCorpus.byName[name])
        let ctx = try #require(c.codecContext, "unknown addPath family in \(c.context.addPath)")
        let bytes = hex(c.hex)
        let outcome = frameAndDecode(bytes, context: ctx)
        let e = c.expect

        switch e.action {
        case "ok":
            guard case .decoded(let d) = outcome else {
                Issue.record("\(c.description): expected ok, got \(outcome)")
                return
            }
            #expect(d.issues.isEmpty, "\(c.description): unexpected issues \(d.issues)")

        case "session-reset":
            guard case .reset(let err) = outcome else {
                Issue.record("\(c.description): expected reset \(e.code ?? 0)/\(e.subcode ?? 0), got \(outcome)")
                return
            }
            let code = try #require(e.code)
            let subcode = try #require(e.subcode)
            #expect(err.notification.code == code, "\(c.description): \(err)")
            #expect(err.notification.subcode == subcode, "\(c.description): \(err)")
            if let data = e.data {
                #expect(hexString(err.notification.data) == data, "\(c.description): \(err)")
            }

        case "treat-as-withdraw":
            guard case .decoded(let d) = outcome else {
                Issue.record("\(c.description): expected treat-as-withdraw, got \(outcome)")
                return
            }
            #expect(d.issues.contains { $0.action == .treatAsWithdraw }, "\(c.description): issues \(d.issues)")
            #expect(d.isTreatAsWithdraw)
            guard case .update(let u) = d.message else {
                Issue.record("\(c.description): treat-as-withdraw on a non-UPDATE \(d.message)")
                return
            }
            let withdrawn = try #require(e.withdrawn)
            #expect(prefixMultiset(u.allPrefixes) == withdrawn.sorted(), "\(c.description)")

        case "attribute-discard":
            guard case .decoded(let d) = outcome else {
                Issue.record("\(c.description): expected attribute-discard, got \(outcome)")
                return
            }
            let code = try #require(e.discardedAttribute)
            #expect(d.issues.contains { $0.action == .attributeDiscard && $0.attributeCode == code },
                    "\(c.description): issues \(d.issues)")
            #expect(!d.isTreatAsWithdraw, "\(c.description): issues \(d.issues)")

        default:
            Issue.record("unknown action \(e.action)")
        }
    }
}
