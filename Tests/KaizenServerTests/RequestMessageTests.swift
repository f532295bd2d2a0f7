import Testing

@testable import KaizenServer

/// The Content-Type a JSON request body must carry, read as MLflow reads it.
struct RequestMessageTests {
    @Test(arguments: [
        "application/json", "Application/JSON", " application/json ", "application/json; charset=utf-8",
        "\tapplication/json\t;x=y", "APPLICATION/JSON;",
    ])
    func jsonMediaTypes(_ contentType: String) {
        #expect(RequestMessage.isJSON(contentType))
    }

    @Test(arguments: [
        "", "text/plain", "application/jsonx", "application/json-patch+json", "application/ json", "application/jso",
        ";application/json", "application/json\u{00A0}", "applicatioN/jsoN2",
    ])
    func otherMediaTypes(_ contentType: String) {
        #expect(!RequestMessage.isJSON(contentType))
    }
}
