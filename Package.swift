// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Kaizen's own targets build with warnings as errors (dependencies are not affected).
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "kaizen",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "kaizen", targets: ["kaizen"]),
        .library(name: "KaizenTracking", targets: ["KaizenTracking"]),
        .library(name: "KaizenRegistry", targets: ["KaizenRegistry"]),
        .library(name: "KaizenArtifacts", targets: ["KaizenArtifacts"]),
        .library(name: "KaizenStorage", targets: ["KaizenStorage"]),
        .library(name: "KaizenServer", targets: ["KaizenServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "KaizenCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaizenClient",
            dependencies: ["KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaizenTracking",
            dependencies: ["KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaizenRegistry",
            dependencies: ["KaizenCore", "KaizenTracking"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaizenArtifacts",
            dependencies: ["KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaizenStorage",
            dependencies: [
                "KaizenCore",
                "KaizenTracking",
                "KaizenRegistry",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KaizenServer",
            dependencies: [
                "KaizenCore",
                "KaizenTracking",
                "KaizenRegistry",
                "KaizenArtifacts",
                "KaizenStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kaizen",
            dependencies: [
                "KaizenCore",
                "KaizenClient",
                "KaizenServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaizenCoreTests",
            dependencies: ["KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaizenTrackingTests",
            dependencies: ["KaizenTracking", "KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaizenRegistryTests",
            dependencies: ["KaizenRegistry", "KaizenTracking", "KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaizenArtifactsTests",
            dependencies: ["KaizenArtifacts", "KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaizenStorageTests",
            dependencies: ["KaizenStorage", "KaizenTracking", "KaizenRegistry", "KaizenCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KaizenServerTests",
            dependencies: [
                "KaizenServer",
                "KaizenCore",
                "KaizenTracking",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
