import CMNL
import Glibc

extension NetlinkSocket {
    /// Applies many requests with few syscalls: messages are packed into sends of at most
    /// `maxBytesPerSend` bytes, each message with its own sequence number. The result at
    /// index i belongs to `requests[i]`; a failure carries that request's operation,
    /// sequence number, errno name and the kernel's extended ACK message.
    ///
    /// - Parameter acknowledge: with `true` every message carries NLM_F_ACK and success is
    ///   confirmed one by one. With `false` the flag is cleared and only errors come back
    ///   (the kernel always reports a failure, `netlink_rcv_skb` in net/netlink/af_netlink.c);
    ///   silence means success. That is the throughput ceiling.
    /// - Returns: one result per request. If the receive buffer overflowed (ENOBUFS) some
    ///   ACKs were lost: requests whose outcome is unknown fail with ENOBUFS, so the caller
    ///   resyncs from a dump.
    public func apply(_ requests: [NetlinkRequest], acknowledge: Bool = true,
                      maxBytesPerSend: Int = 64 * 1024) -> [Result<Void, NetlinkError>] {
        var results = [Result<Void, NetlinkError>](repeating: .success(()), count: requests.count)
        guard !requests.isEmpty else { return results }
        let base = takeSequence(requests.count)
        // Each queued ACK costs about 1 KiB of receive buffer (skb truesize); keep one
        // send's worth of ACKs well inside it.
        let maxMessages = max(1, receiveBufferSize / 1024 / 2)
        var sendBuffer: [UInt8] = []
        sendBuffer.reserveCapacity(maxBytesPerSend + 4096)
        var done = [Bool](repeating: false, count: requests.count)
        var start = 0
        while start < requests.count {
            sendBuffer.removeAll(keepingCapacity: true)
            var end = start
            while end < requests.count, end - start < maxMessages,
                  end == start || sendBuffer.count + requests[end].length <= maxBytesPerSend {
                let r = requests[end]
                r.append(to: &sendBuffer, sequence: base &+ UInt32(truncatingIfNeeded: end), portID: 0,
                         flags: acknowledge ? r.flags | NL.ack : r.flags & ~NL.ack)
                end += 1
            }
            do {
                try sendBuffer.withUnsafeBytes { try sendAll($0, requests[start].operation) }
            } catch {
                for i in start..<end { results[i] = .failure(NetlinkError(code: (error as? NetlinkError)?.code ?? EIO, operation: requests[i].operation)) }
                start = end
                continue
            }
            collect(base: base, range: start..<end, requests: requests, acknowledge: acknowledge,
                    results: &results, done: &done)
            start = end
        }
        return results
    }

    /// Reads ACKs/errors for one send. Everything is already queued when `sendto` returns,
    /// so a non-blocking drain suffices; a blocking read covers anything still in flight.
    func collect(base: UInt32, range: Range<Int>, requests: [NetlinkRequest], acknowledge: Bool,
                 results: inout [Result<Void, NetlinkError>], done: inout [Bool]) {
        var outstanding = acknowledge ? range.count : 0
        var lost = false
        var blocking = false
        while true {
            let n: Int?
            do {
                n = try receive(dontWait: !blocking)
            } catch {
                if (error as? NetlinkError)?.code == ENOBUFS { lost = true; blocking = false; continue }
                break
            }
            guard let n else {
                // Queue empty. With ACKs outstanding and none lost, wait (bounded by SO_RCVTIMEO).
                if outstanding > 0 && !lost && !blocking { blocking = true; continue }
                break
            }
            blocking = false
            // Parse in place: ACKs are the hot path (one per route), avoid allocations.
            let raw = UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            var off = 0
            while raw.count - off >= NL.headerLength + 4 {
                let len = Int(raw.loadUnaligned(fromByteOffset: off, as: UInt32.self))
                guard len >= NL.headerLength, len <= raw.count - off else { break }
                let type = raw.loadUnaligned(fromByteOffset: off + 4, as: UInt16.self)
                let seq = raw.loadUnaligned(fromByteOffset: off + 8, as: UInt32.self)
                let i = Int(seq &- base)
                if type == NL.error, range.contains(i), !done[i] {
                    done[i] = true
                    if acknowledge { outstanding -= 1 }
                    let err = raw.loadUnaligned(fromByteOffset: off + 16, as: Int32.self)
                    if err != 0 {
                        let m = NetlinkMessage.split(UnsafeRawBufferPointer(rebasing: raw[off..<(off + len)])).first
                        let info = m?.errorInfo
                        results[i] = .failure(NetlinkError(code: -err, operation: requests[i].operation,
                                                           kernelMessage: info?.message, sequence: seq,
                                                           requestType: requests[i].type))
                    }
                }
                off += NL.align(len)
            }
            if acknowledge && outstanding == 0 && !lost { break }
        }
        if lost || outstanding > 0 {
            let code = lost ? ENOBUFS : ETIMEDOUT
            for i in range where !done[i] {
                results[i] = .failure(NetlinkError(code: code, operation: requests[i].operation,
                                                   kernelMessage: "acknowledgement lost; outcome unknown", sequence: base &+ UInt32(truncatingIfNeeded: i)))
            }
        }
    }
}
