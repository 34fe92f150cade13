import Testing
@testable import Dataplane

// PLACEHOLDER: replaced by real tests of Dataplane.
@Test func dataplaneModuleLinks() { #expect(String(describing: DataplaneModule.self) == "DataplaneModule") }
