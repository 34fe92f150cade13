import Testing
@testable import BGPSession

// PLACEHOLDER: replaced by real tests of BGPSession.
@Test func BGPSessionModuleLinks() { #expect(String(describing: BGPSessionModule.self).hasPrefix("BGPSession")) }
