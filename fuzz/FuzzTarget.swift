// libFuzzer entry point over the BGPWire framer + decoder.
// Built by scripts/fuzz.sh together with Sources/BGPWire/*.swift as one module:
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/BGPWire/*.swift fuzz/FuzzTarget.swift
//
// Input: one context byte, then a raw BGP stream.
//   bit 0 four-octet AS, bit 1 add-path IPv4, bit 2 add-path IPv6, bit 3 extended message,
//   bit 4 external peer.
// Properties checked for every message (a violation traps, which libFuzzer reports):
//   1. framing and decoding never crash or read out of bounds (ASan);
//   2. a message that decodes re-encodes to bytes that decode again without a reset (and with
//      no RFC 7606 issue unless the original was treat-as-withdraw: its faults survive), and
//      encoding is a fixed point: encode(decode(encode(m))) == encode(m).

@_cdecl("LLVMFuzzerTestOneInput")
public func ternFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let flags = data[0]
    let stream = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var families = Set<AddressFamily>()
    if flags & 2 != 0 { families.insert(.ipv4Unicast) }
    if flags & 4 != 0 { families.insert(.ipv6Unicast) }
    let context = CodecContext(fourOctetAS: flags & 1 != 0, extendedMessage: flags & 8 != 0,
                               addPath: families, peerIsExternal: flags & 16 != 0)
    var framer = MessageFramer(maxMessageLength: context.maxMessageLength)
    framer.append(stream)
    while true {
        guard let frame = try? framer.next() else { break }
        guard let first = try? BGPMessage.decode(frame, context: context) else { continue }
        checkFixedPoint(first.message, context: context, mustBeClean: !first.isTreatAsWithdraw)
    }
    return 0
}

private func checkFixedPoint(_ message: BGPMessage, context: CodecContext, mustBeClean: Bool) {
    let encoded = message.encoded(context: context)
    let again: DecodedMessage
    do {
        again = try BGPMessage.decode(bytes: encoded, context: context)
    } catch {
        fatalError("re-encoded \(message.type) does not decode: \(error)\n\(encoded.hexString)")
    }
    if mustBeClean && !again.issues.isEmpty {
        fatalError("re-encoded \(message.type) has issues: \(again.issues)\n\(encoded.hexString)")
    }
    let twice = again.message.encoded(context: context)
    if twice != encoded {
        fatalError("encoding is not a fixed point for \(message.type)\n\(encoded.hexString)\n\(twice.hexString)")
    }
}
