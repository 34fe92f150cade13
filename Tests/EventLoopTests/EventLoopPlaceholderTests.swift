import Testing
@testable import EventLoop
@Test func links() { #expect(EventLoop.now > 0) }
