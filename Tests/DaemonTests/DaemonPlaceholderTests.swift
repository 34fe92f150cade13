import Testing
@testable import Daemon

// PLACEHOLDER: replaced by real tests of Daemon.
@Test func DaemonModuleLinks() { #expect(String(describing: DaemonModule.self).hasPrefix("Daemon")) }
