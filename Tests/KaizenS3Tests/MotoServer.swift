import Foundation
import KaizenS3
import Testing

/// The S3 server the store tests use: moto at `KAIZEN_TEST_S3_URL`, which `scripts/services.sh` (and so `make
/// swift-test`) sets. Without it the tests are skipped, except under CI, where they fail.
enum MotoServer {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["KAIZEN_TEST_S3_URL"].flatMap { $0.isEmpty ? nil : $0 }
    /// Run the tests when there is a server, or when CI is set (and fail there for the want of one).
    static let enabled = url != nil || environment["CI"] != nil
    static let skipReason: Comment =
        "KAIZEN_TEST_S3_URL is unset: S3 store tests skipped (run them through scripts/services.sh)"

    /// A client for moto (credentials testing/testing) and a bucket of the test's own.
    static func client(region: String = "us-east-1") async throws -> (S3Client, String) {
        let url = try #require(url, "KAIZEN_TEST_S3_URL must name a moto server when CI is set")
        let endpoint = try #require(S3Endpoint(url: url), "KAIZEN_TEST_S3_URL is not an http URL: \(url)")
        let client = S3Client(
            configuration: S3Configuration(
                endpoint: endpoint, region: region,
                credentials: S3Credentials(accessKeyID: "testing", secretAccessKey: "testing")))
        let bucket = "kaizen-test-" + UUID().uuidString.lowercased().prefix(18)
        try await client.createBucket(String(bucket))
        return (client, String(bucket))
    }
}

/// Chunks handed out one at a time, optionally failing after some.
struct TestChunks: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let chunks: [[UInt8]]
    var failAfter: Int?

    struct Planted: Error {}

    func makeAsyncIterator() -> Iterator {
        Iterator(chunks: chunks, failAfter: failAfter)
    }

    struct Iterator: AsyncIteratorProtocol {
        let chunks: [[UInt8]]
        let failAfter: Int?
        var index = 0

        mutating func next() async throws -> [UInt8]? {
            if let failAfter, index == failAfter { throw Planted() }
            guard index < chunks.count else { return nil }
            defer { index += 1 }
            return chunks[index]
        }
    }

    /// `total` seeded pseudo-random bytes cut into chunks of varying sizes.
    static func random(total: Int, seed: UInt64) -> (TestChunks, [UInt8]) {
        var state = seed
        func nextValue() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var bytes = [UInt8](repeating: 0, count: total)
        for index in stride(from: 0, to: total, by: 8) {
            var value = nextValue()
            for offset in index..<Swift.min(index + 8, total) {
                bytes[offset] = UInt8(truncatingIfNeeded: value)
                value >>= 8
            }
        }
        var chunks: [[UInt8]] = []
        var position = 0
        while position < total {
            let size = Int(nextValue() % 700_000) + 1
            chunks.append(Array(bytes[position..<Swift.min(position + size, total)]))
            position += size
        }
        return (TestChunks(chunks: chunks), bytes)
    }
}
