// swift-tools-version: 6.1
// Tern: a Calico-style vRouter (BGP-4 speaker + Felix-like dataplane agent) in Swift.
// Targets follow docs/ARCHITECTURE.md: one responsibility each.
import PackageDescription

let package = Package(
    name: "Tern",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tern", targets: ["tern"]),
        .library(name: "BGPWire", targets: ["BGPWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        /// libmnl (netlink) as a Swift module; only the Netlink target may import it.
        .systemLibrary(
            name: "CMNL",
            pkgConfig: "libmnl",
            providers: [.apt(["libmnl-dev"])]
        ),
        /// Pure BGP-4 codec: messages, capabilities, attributes, NLRI, framer, RFC 7606.
        .target(name: "BGPWire"),
        /// The `tern` command line.
        .executableTarget(
            name: "tern",
            dependencies: [
                "BGPWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "BGPWireTests",
            dependencies: ["BGPWire"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "CMNLTests", dependencies: ["CMNL"]),
    ],
    swiftLanguageModes: [.v6]
)
