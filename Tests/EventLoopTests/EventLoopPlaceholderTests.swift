import Testing
@testable import EventLoop

// PLACEHOLDER: replaced by real tests of EventLoop.
@Test func EventLoopModuleLinks() { #expect(String(describing: EventLoopModule.self).hasPrefix("EventLoop")) }
