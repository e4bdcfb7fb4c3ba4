// swift-tools-version:6.0
// Swift 6 language mode (strict concurrency as errors) follows from the tools version.
import Foundation
import PackageDescription

let package = Package(
    name: "aliyun-db-emulator",
    products: [
        .executable(name: "aliyun-db-emulator", targets: ["aliyun-db-emulator"]),
        .library(name: "Emulator", targets: ["Emulator"]),
        // An emulator started in-process on an ephemeral port, for the tests of programs that use it.
        .library(name: "EmulatorTesting", targets: ["EmulatorTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The local certificate authority and the HTTPS port's certificate: X.509 and its DER from maintained
        // libraries, never hand-written ASN.1 or a call to the openssl tool.
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        // HMAC-SHA1 / HMAC-SHA256 / SHA-256 for request signatures: never a hand-rolled hash.
        // 4.x: built on FoundationEssentials, so the binary links no Foundation (nor ICU's data).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Base64 of V1 signatures: a maintained encoder, not a hand-written one.
        .package(url: "https://github.com/swift-extras/swift-extras-base64", from: "1.2.0"),
    ],
    targets: [
        // C libraries from the system, each behind one thin Swift module.
        .systemLibrary(name: "CLibevent", pkgConfig: "libevent", providers: [.apt(["libevent-dev"])]),
        // libevent's OpenSSL bufferevents and OpenSSL itself, for the HTTPS port.
        .systemLibrary(
            name: "CLibeventOpenSSL", pkgConfig: "libevent_openssl", providers: [.apt(["libevent-dev", "libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // mimalloc: the process's malloc once linked, and given to SQLite and libevent explicitly.
        .systemLibrary(name: "CMimalloc", providers: [.apt(["libmimalloc-dev"])]),
        // libevent's error pages, routed to the transport (see http_error_page.h).
        .target(name: "CHTTPErrorPage", dependencies: ["CLibevent"]),

        // Layers, lowest first: transport -> protocol -> services -> store.
        .target(name: "EmulatorTransport", dependencies: ["CLibevent", "CLibeventOpenSSL", "CMimalloc", "CHTTPErrorPage"]),
        // The HTTPS port's certificates: a local certificate authority, the server certificate it signs, and the
        // checks of certificate files a user brings. No pointers: the transport receives file paths.
        .target(
            name: "EmulatorTLS",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "EmulatorStore", dependencies: ["CSQLite", "CMimalloc"]),
        .target(
            name: "AlibabaRPC",
            dependencies: [
                "EmulatorTransport", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ExtrasBase64", package: "swift-extras-base64"),
            ]),
        // What every product module shares and what `Emulator` asks of a product: the operation type and its
        // registration table, the product model protocol, the shared instance description. It sits beside
        // the products, above the protocol and the store, so that both products and `Emulator` import it.
        .target(name: "ServiceKit", dependencies: ["AlibabaRPC", "EmulatorStore"]),
        .target(name: "RDSService", dependencies: ["ServiceKit", "AlibabaRPC", "EmulatorStore"]),
        .target(name: "MongoDBService", dependencies: ["ServiceKit", "AlibabaRPC", "EmulatorStore"]),
        .target(
            name: "Emulator",
            dependencies: [
                "EmulatorTransport", "AlibabaRPC", "ServiceKit", "RDSService", "MongoDBService", "EmulatorStore",
                "EmulatorTLS", .product(name: "Logging", package: "swift-log"),
            ],
            // The dashboard's page, script and style sheet, as byte arrays in the binary (no bundle to find at run time).
            resources: [.embedInCode("Dashboard")]
        ),
        .target(
            name: "EmulatorTesting", dependencies: ["Emulator", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "aliyun-db-emulator",
            dependencies: [
                "Emulator", "AlibabaRPC", "RDSService", "EmulatorTransport", "EmulatorTLS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Shared by the test targets: a raw HTTP/1.1 client and a runner for the built executable.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "EmulatorTransportTests", dependencies: ["EmulatorTransport", "TestSupport"]),
        .testTarget(
            name: "EmulatorTLSTests",
            dependencies: [
                "EmulatorTLS", .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"), .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(name: "EmulatorStoreTests", dependencies: ["EmulatorStore", "CMimalloc"]),
        .testTarget(name: "AlibabaRPCTests", dependencies: ["AlibabaRPC"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit", "EmulatorStore", "AlibabaRPC"]),
        .testTarget(name: "RDSServiceTests", dependencies: ["RDSService", "ServiceKit", "EmulatorStore", "AlibabaRPC"]),
        .testTarget(
            name: "MongoDBServiceTests", dependencies: ["MongoDBService", "ServiceKit", "EmulatorStore", "AlibabaRPC"]),
        // End-to-end: the server started in-process and as the built executable.
        .testTarget(
            name: "EmulatorTests",
            dependencies: [
                "Emulator", "EmulatorTesting", "AlibabaRPC", "EmulatorTransport", "aliyun-db-emulator", "TestSupport",
                "ServiceKit", "RDSService", "MongoDBService", "EmulatorStore",
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)

// libFuzzer targets (Fuzz/<Name>/main.swift, run by scripts/fuzz.sh), only when EMULATOR_FUZZ is set: they are
// linked with libFuzzer's main, which only a `--sanitize=fuzzer` build provides.
if ProcessInfo.processInfo.environment["EMULATOR_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("Request", ["Emulator", "EmulatorTransport", .product(name: "Logging", package: "swift-log")]),
        ("FormDecoding", ["AlibabaRPC"]),
        ("SignatureV1", ["AlibabaRPC", "EmulatorTransport"]),
        ("SignatureV3", ["AlibabaRPC", "EmulatorTransport"]),
        ("Fixtures", ["Emulator", "AlibabaRPC"]),
        ("ControlAPI", ["Emulator", "AlibabaRPC", "EmulatorTransport", .product(name: "Logging", package: "swift-log")]),
        ("Duration", ["Emulator", "AlibabaRPC", "EmulatorTransport", .product(name: "Logging", package: "swift-log")]),
    ]
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["AlibabaRPC", "EmulatorTransport"], path: "Fuzz/Support"))
    for (name, dependencies) in fuzzTargets {
        package.targets.append(
            .executableTarget(name: "Fuzz\(name)", dependencies: dependencies + ["FuzzSupport"], path: "Fuzz/\(name)"))
    }
}
