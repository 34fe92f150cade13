import Testing
@testable import RIB

// PLACEHOLDER: replaced by real tests of RIB.
@Test func RIBModuleLinks() { #expect(String(describing: RIBModule.self).hasPrefix("RIB")) }
