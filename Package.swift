// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "swift-gearman",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "GearmanProtocol", targets: ["GearmanProtocol"]),
        .library(name: "GearmanServer", targets: ["GearmanServer"]),
        .library(name: "GearmanLogging", targets: ["GearmanLogging"]),
        .library(name: "GearmanMonitoring", targets: ["GearmanMonitoring"]),
        .executable(name: "geard", targets: ["geard"]),
        .library(name: "Gearman", targets: ["Gearman"]),
        .executable(name: "gear", targets: ["gear"]),
        .executable(name: "gear-bench", targets: ["gear-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(
            name: "GearmanProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "GearmanFuzzing",
            dependencies: ["GearmanProtocol", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // A libFuzzer target when built by scripts/fuzz.sh; an input replayer otherwise.
        .executableTarget(
            name: "gearman-fuzz",
            dependencies: ["GearmanFuzzing", "CLibFuzzer"]
        ),
        .target(name: "CLibFuzzer"),
        .target(
            name: "GearmanServer",
            dependencies: [
                "GearmanProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "GearmanLogging",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ]
        ),
        .target(
            name: "GearmanMonitoring",
            dependencies: [
                "GearmanServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "geard",
            dependencies: [
                "GearmanServer",
                "GearmanLogging",
                "GearmanMonitoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "GearmanProtocolTests",
            dependencies: [
                "GearmanProtocol",
                "GearmanFuzzing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            exclude: ["FuzzInputs"]
        ),
        .testTarget(
            name: "GearmanLoggingTests",
            dependencies: ["GearmanLogging", .product(name: "Logging", package: "swift-log")]
        ),
        // Shared by the test targets that run real programs: a child process whose end is seen reliably.
        .target(name: "ProcessSupport", path: "Tests/ProcessSupport"),
        .testTarget(
            name: "GearmanServerTests",
            dependencies: [
                "ProcessSupport",
                "GearmanServer",
                "Gearman",
                "geard",
                "GearmanProtocol",
                "GearmanMonitoring",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .target(
            name: "Gearman",
            dependencies: [
                "GearmanProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "gear",
            dependencies: [
                "Gearman",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "gear-bench",
            dependencies: [
                "Gearman",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "GearmanTests",
            dependencies: [
                "ProcessSupport",
                "Gearman",
                "GearmanProtocol",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "InteropTests",
            dependencies: ["geard", "ProcessSupport"],
            exclude: ["Peers"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
