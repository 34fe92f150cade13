import Testing
@testable import Config

// PLACEHOLDER: replaced by real tests of Config.
@Test func ConfigModuleLinks() { #expect(String(describing: ConfigModule.self).hasPrefix("Config")) }
