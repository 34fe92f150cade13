import Testing
@testable import Netlink

// PLACEHOLDER: replaced by real tests of Netlink.
@Test func netlinkModuleLinks() { #expect(String(describing: NetlinkModule.self) == "NetlinkModule") }
