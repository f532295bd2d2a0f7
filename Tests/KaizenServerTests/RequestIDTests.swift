import Testing

@testable import KaizenServer

/// Request ids: UUID-shaped, unique within the process, the caller's own kept when safe to echo.
struct RequestIDTests {
    @Test func newIdsAreUUIDShapedAndDistinct() {
        let ids = (0..<1000).map { _ in RequestID.next() }
        #expect(Set(ids).count == 1000)
        for id in ids.prefix(5) {
            let groups = id.split(separator: "-").map(\.count)
            #expect(groups == [8, 4, 4, 4, 12], "\(id)")
            #expect(id.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) || $0 == 0x2D })
            #expect(id.hasPrefix(String(decoding: RequestID.prefix, as: UTF8.self)))
        }
        let first = RequestID.next()
        let second = RequestID.next()
        let tail = { (id: String) in UInt64(id.split(separator: "-").suffix(2).joined(), radix: 16) }
        #expect(tail(second) == tail(first).map { $0 + 1 })
    }

    @Test func callersIdsAreKeptWhenSafe() {
        #expect(RequestID.resolve("order-42/a") == "order-42/a")
        #expect(RequestID.resolve(String(repeating: "x", count: 128)).count == 128)
        for unsafe in ["", "a b", "tab\there", "é", String(repeating: "x", count: 129), "line\nbreak"] {
            #expect(RequestID.resolve(unsafe).count == 36, "\(unsafe)")
        }
        #expect(RequestID.resolve(nil).count == 36)
    }
}
