import Testing
@testable import BGPWire

/// A header (all-ones marker unless `marker` is given) followed by `body`; the length field
/// says `length`, or the real size when nil.
func rawMessage(type: UInt8, body: [UInt8] = [], length: Int? = nil, marker: [UInt8] = Array(repeating: 0xFF, count: 16)) -> [UInt8] {
    let len = length ?? 19 + body.count
    return marker + [UInt8(len >> 8 & 0xFF), UInt8(len & 0xFF), type] + body
}

/// Feeds `bytes` to a fresh framer and returns the error `next()` throws (nil if none).
func framingError(_ bytes: [UInt8], maxLength: Int = 4096) -> MessageError? {
    var f = MessageFramer(maxMessageLength: maxLength)
    f.append(bytes)
    do {
        while try f.next() != nil {}
        return nil
    } catch {
        return error
    }
}

/// An UPDATE of exactly `size` bytes: only withdrawn routes, /32s and /24s
/// (5 and 4 bytes each), so it decodes cleanly.
func withdrawOnlyUpdate(size: Int) -> (bytes: [UInt8], prefixes: Int) {
    var room = size - 23
    var body: [UInt8] = []
    var n = 0
    var i = 0
    while room > 0 {
        let use32 = room % 4 != 0
        if use32 {
            body += [32, 10, UInt8(i >> 16 & 0xFF), UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)]
            room -= 5
        } else {
            body += [24, 11, UInt8(i >> 8 & 0xFF), UInt8(i & 0xFF)]
            room -= 4
        }
        n += 1
        i += 1
    }
    let msg = rawMessage(type: 2, body: [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body + [0, 0])
    return (msg, n)
}

@Suite struct FramingTests {
    // MARK: Header errors (RFC 4271 §6.1)

    @Test(arguments: [0, 7, 15])
    func markerNotAllOnesIs1_1(_ at: Int) throws {
        var marker = [UInt8](repeating: 0xFF, count: 16)
        marker[at] = 0xFE
        let err = try #require(framingError(rawMessage(type: 4, marker: marker)))
        #expect(err.notification.code == 1 && err.notification.subcode == 1)
        #expect(err.notification.data.isEmpty)
    }

    @Test(arguments: [(0, 4), (18, 4), (18, 2), (4097, 2), (0xFFFF, 2)] as [(Int, UInt8)])
    func lengthOutOfRangeIs1_2WithTheLength(_ length: Int, _ type: UInt8) throws {
        // Only the header is there: the length is judged before the body arrives.
        let err = try #require(framingError(rawMessage(type: type, length: length)))
        #expect(err.notification.code == 1 && err.notification.subcode == 2)
        #expect(err.notification.data == [UInt8(length >> 8), UInt8(length & 0xFF)])
    }

    @Test(arguments: [0, 6, 7, 128, 255] as [UInt8])
    func unknownTypeIs1_3WithTheType(_ type: UInt8) throws {
        let err = try #require(framingError(rawMessage(type: type)))
        #expect(err.notification.code == 1 && err.notification.subcode == 3)
        #expect(err.notification.data == [type])
    }

    @Test func keepaliveLength20Is1_2() throws {
        let err = try #require(framingError(rawMessage(type: 4, body: [0])))
        #expect(err.notification.code == 1 && err.notification.subcode == 2)
        #expect(err.notification.data == [0x00, 0x14])
    }

    @Test(arguments: [(1, 28), (2, 22), (3, 20), (5, 22)] as [(UInt8, Int)])
    func lengthBelowTheTypesMinimumIs1_2(_ type: UInt8, _ length: Int) throws {
        let err = try #require(framingError(rawMessage(type: type, body: Array(repeating: 0, count: length - 19))))
        #expect(err.notification.code == 1 && err.notification.subcode == 2)
        #expect(err.notification.data == [0, UInt8(length)])
        // One byte more is long enough for the framer.
        #expect(framingError(rawMessage(type: type, body: Array(repeating: 0, count: length - 18))) == nil)
    }

    @Test func markerIsCheckedBeforeLengthAndType() throws {
        var marker = [UInt8](repeating: 0xFF, count: 16)
        marker[3] = 0
        let err = try #require(framingError(rawMessage(type: 99, length: 5, marker: marker)))
        #expect(err.notification.subcode == 1)
        // And the length before the type.
        #expect(framingError(rawMessage(type: 99, length: 5))?.notification.subcode == 2)
    }

    // MARK: Buffering

    @Test func lessThanAHeaderWaits() throws {
        var f = MessageFramer()
        f.append([UInt8](repeating: 0xFF, count: 18))
        #expect(try f.next() == nil)
        #expect(f.bufferedByteCount == 18)
        f.append([4])  // completes the header: marker, length 0xffff (> 4096), type 4
        let err = #expect(throws: MessageError.self) { try f.next() }
        #expect(err?.notification == NotificationMessage(code: 1, subcode: 2, data: [0xFF, 0xFF]))
    }

    @Test func messagesSplitAcrossAppends() throws {
        let ka = BGPMessage.keepalive.encoded()
        let note = BGPMessage.notification(NotificationMessage(code: 6, subcode: 2, data: [3, 0x61, 0x62, 0x63])).encoded()
        let rr = BGPMessage.routeRefresh(RouteRefreshMessage(family: .ipv6Unicast)).encoded()
        let stream = ka + note + rr + ka

        var f = MessageFramer()
        // The first message minus its last byte, then the rest of the stream in two pieces
        // cut in the middle of the NOTIFICATION's header and of the ROUTE-REFRESH body.
        f.append(stream[0..<18])
        #expect(try f.next() == nil)
        f.append(stream[18..<19 + 10])
        let first = try #require(try f.next())
        #expect(first.type == .keepalive && first.bytes == ka)
        #expect(try f.next() == nil)
        #expect(f.bufferedByteCount == 10)
        let cut = ka.count + note.count + 20
        f.append(stream[29..<cut])
        #expect(try f.next()?.bytes == note)
        #expect(try f.next() == nil)
        f.append(stream[cut...])
        #expect(try f.next()?.bytes == rr)
        #expect(try f.next()?.bytes == ka)
        #expect(try f.next() == nil)
        #expect(f.bufferedByteCount == 0)

        // Decoding the frames gives back the messages.
        var g = MessageFramer()
        g.append(stream)
        var out: [BGPMessage] = []
        while let fr = try g.next() { out.append(try BGPMessage.decode(fr).message) }
        #expect(out.map(\.type) == [.keepalive, .notification, .routeRefresh, .keepalive])
    }

    @Test func anErrorAfterGoodMessagesSurfacesInOrder() throws {
        var f = MessageFramer()
        f.append(BGPMessage.keepalive.encoded() + rawMessage(type: 9))
        #expect(try f.next()?.type == .keepalive)
        #expect(throws: MessageError.self) { try f.next() }
    }

    // MARK: Maximum length (RFC 4271 §4.1, RFC 8654)

    @Test func length4096IsTheLimitWithoutExtendedMessages() throws {
        let (m4096, _) = withdrawOnlyUpdate(size: 4096)
        #expect(m4096.count == 4096)
        let d = try BGPMessage.decode(bytes: m4096, context: CodecContext(fourOctetAS: true))
        #expect(d.issues.isEmpty)
        let (m4097, _) = withdrawOnlyUpdate(size: 4097)
        let err = #expect(throws: MessageError.self) {
            try BGPMessage.decode(bytes: m4097, context: CodecContext(fourOctetAS: true))
        }
        #expect(err?.notification == NotificationMessage(code: 1, subcode: 2, data: [0x10, 0x01]))
    }

    @Test func length65535WithExtendedMessages() throws {
        let (msg, n) = withdrawOnlyUpdate(size: 65535)
        #expect(msg.count == 65535)
        let ext = CodecContext(fourOctetAS: true, extendedMessage: true)
        #expect(ext.maxMessageLength == 65535)

        // Framed in pieces by a framer allowing 65535.
        var f = MessageFramer(maxMessageLength: ext.maxMessageLength)
        f.append(msg[0..<30000])
        #expect(try f.next() == nil)
        f.append(msg[30000...])
        let frame = try #require(try f.next())
        #expect(frame.bytes.count == 65535)
        let d = try BGPMessage.decode(frame, context: ext)
        #expect(d.issues.isEmpty)
        guard case .update(let u) = d.message else { Issue.record("not an UPDATE"); return }
        #expect(u.withdrawn.count == n)
        #expect(d.message.encoded(context: ext) == msg)

        // Without extended messages the same message is 1/2 with length 0xffff.
        let err = try #require(framingError(msg))
        #expect(err.notification.code == 1 && err.notification.subcode == 2)
        #expect(err.notification.data == [0xFF, 0xFF])
    }
}
