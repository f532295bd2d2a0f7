import KaizenCore
import Testing

struct PageTokenTests {
    @Test func encodesAsMLflowDoes() throws {
        #expect(PageToken(offset: 2).encoded == "eyJvZmZzZXQiOiAyfQ==")
        #expect(try PageToken(decoding: "eyJvZmZzZXQiOiAyfQ==").offset == 2)
        #expect(try PageToken(decoding: nil).offset == 0)
    }

    @Test(arguments: ["not base64!", "e30=", "eyJvZmZzZXQiOiAtMX0="])
    func refusesBadTokens(_ token: String) {
        #expect(throws: KaizenError.self) { try PageToken(decoding: token) }
    }
}
