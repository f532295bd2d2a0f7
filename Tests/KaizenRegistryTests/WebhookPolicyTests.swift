import KaizenCore
import KaizenRegistry
import Testing

struct WebhookPolicyTests {
    @Test func validatesSchemesAndAddresses() throws {
        let strict = WebhookPolicy()
        #expect(throws: KaizenError.self) { try strict.validate("http://example.com/hook") }
        #expect(throws: KaizenError.self) { try strict.validate("https://127.0.0.1/hook") }
        #expect(throws: KaizenError.self) { try strict.validate("https://10.1.2.3/hook") }
        #expect(try strict.validate("https://example.com:8443/hook") == "example.com")
        let local = WebhookPolicy(allowedSchemes: ["http", "https"], allowPrivateAddresses: true)
        #expect(try local.validate("http://127.0.0.1:9000/x") == "127.0.0.1")
    }
}
