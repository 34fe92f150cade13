import Foundation
import Testing
@testable import EventLoop

@Suite("Output backpressure")
struct BackpressureTests {
    /// Byte `i` of the stream is `i % 251`, so order can be checked without keeping it all.
    static func pattern(from offset: Int, count: Int) -> [UInt8] {
        (0..<count).map { UInt8((offset + $0) % 251) }
    }

    @Test func peerThatNeverReadsIsBoundedThenDrains() async throws {
        let loop = EventLoop(label: "test.backpressure")
        let options = ConnectionOptions(highWatermark: 64 * 1024, lowWatermark: 16 * 1024, maxBufferedBytes: 256 * 1024)
        let reader = LoopBox<TCPConnection?>(nil)
        let receivedCount = LoopBox(0)
        let receivedInOrder = LoopBox(true)
        let listener = try makeListener(loop) { connection in
            reader.value = connection
            connection.pauseReading()  // a peer that never reads
            connection.onRead = { bytes in
                loop.assertOnLoop()
                if bytes != BackpressureTests.pattern(from: receivedCount.value, count: bytes.count) {
                    receivedInOrder.value = false
                }
                receivedCount.value += bytes.count
            }
        }
        let port = loop.sync { listener.localAddress.port }
        let connected = LoopBox(false)
        let writableFired = LoopBox(0)
        let writer = try loop.sync {
            let writer = try TCPConnection.connect(to: "127.0.0.1", port: port, options: options, on: loop)
            writer.onConnect = { connected.value = true }
            writer.onWritable = { loop.assertOnLoop(); writableFired.value += 1 }
            writer.onClose = { Issue.record("writer closed: \($0)") }
            return writer
        }
        #expect(await waitUntil { loop.sync { connected.value && reader.value != nil } })

        // Write until the writer refuses: the kernel buffers fill, then ours up to the cap.
        let chunk = 16 * 1024
        let accepted = LoopBox(0)
        // A generous deadline: the whole suite runs in parallel on two cores (etcd, IPAM races).
        let refused = await waitUntil(timeout: .seconds(90)) {
            loop.sync {
                for _ in 0..<64 {
                    if !writer.write(Self.pattern(from: accepted.value, count: chunk)) { return true }
                    accepted.value += chunk
                    #expect(writer.bufferedBytes <= options.maxBufferedBytes)
                }
                return accepted.value > 512 << 20  // give up: something is wrong
            }
        }
        #expect(refused)
        loop.sync {
            #expect(writer.bufferedBytes <= options.maxBufferedBytes)
            #expect(writer.bufferedBytes > options.maxBufferedBytes - chunk)
            #expect(!writer.isWritable)
            #expect(writableFired.value == 0)
            // A write that would cross the hard cap is refused whole.
            let room = options.maxBufferedBytes - writer.bufferedBytes
            #expect(!writer.write([UInt8](repeating: 0, count: room + 1)))
        }

        // lastWriteProgress stops advancing: observe it across loop timer periods until it
        // holds still for one whole period (the kernel may still move a little at first).
        let stalled = LoopBox(false)
        for _ in 0..<50 where !loop.sync({ stalled.value }) {
            let before = loop.sync { writer.lastWriteProgress }
            let tick = LoopBox(false)
            let timer = loop.sync { LoopTimer(on: loop) { tick.value = true } }
            loop.sync { timer.arm(after: .milliseconds(100)) }
            #expect(await waitUntil { loop.sync { tick.value } })
            loop.sync {
                if writer.lastWriteProgress == before {
                    stalled.value = true
                    #expect(loop.now > writer.lastWriteProgress)  // stall age grows
                    #expect(writer.bufferedBytes > 0)
                }
            }
        }
        #expect(loop.sync { stalled.value })

        // The reader starts reading: the writer drains, onWritable fires, all bytes arrive in order.
        loop.sync { reader.value?.resumeReading() }
        #expect(await waitUntil { loop.sync { writableFired.value == 1 } })
        #expect(await waitUntil { loop.sync { receivedCount.value == accepted.value } })
        loop.sync {
            #expect(writer.isWritable)
            #expect(receivedInOrder.value)
            #expect(receivedCount.value == accepted.value)
            writer.close()
            reader.value?.close()
            listener.close()
        }
    }
}
