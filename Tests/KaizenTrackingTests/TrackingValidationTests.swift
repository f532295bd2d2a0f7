import KaizenCore
import KaizenTracking
import Testing

struct TrackingValidationTests {
    @Test(arguments: ["loss", "val/loss", "a.b-c d:e", "ünïcode_1", "Z9", "٣_x", "١٢"])
    func acceptsValidKeys(_ key: String) throws {
        try TrackingValidation.validateKey(key, kind: "Metric key")
    }

    @Test(arguments: ["../x", "/abs", "a//b", "a/./b", ".", "..", "...", "a/", "bad!char", "semi;colon", "a`b", "a@b"])
    func refusesKeysThatAreNotPlainNames(_ key: String) {
        #expect(throws: KaizenError.self) { try TrackingValidation.validateKey(key, kind: "Metric key") }
    }

    @Test func pathTrickMessageMatchesMLflow() {
        #expect(
            throws: KaizenError.invalidParameter(
                "Invalid value \"../x\" for parameter 'name' supplied: Names may be treated as files in certain cases, "
                    + "and must not resolve to other names when treated as such. This name would resolve to '../x'")
        ) { try TrackingValidation.validateKey("../x", kind: "Metric key") }
    }

    @Test func refusesLongKeys() {
        #expect(throws: KaizenError.self) {
            try TrackingValidation.validateKey(String(repeating: "k", count: 251), kind: "Param key")
        }
    }

    @Test func normalizesLikePython() {
        #expect(TrackingValidation.normalizePOSIXPath("a//b/./c/..") == "a/b")
        #expect(TrackingValidation.normalizePOSIXPath("../x") == "../x")
        #expect(TrackingValidation.normalizePOSIXPath("//x") == "//x")
        #expect(TrackingValidation.normalizePOSIXPath("///x") == "/x")
        #expect(TrackingValidation.normalizePOSIXPath("") == ".")
    }

    @Test func batchLimitsUseMLflowsMessages() throws {
        try TrackingValidation.validateBatch(metrics: 1000, params: 0, tags: 0)
        #expect(
            throws: KaizenError.invalidParameter(
                "A batch logging request can contain at most 1000 metrics. Got 1001 metrics. "
                    + "Please split up metrics across multiple requests and try again.")
        ) { try TrackingValidation.validateBatch(metrics: 1001, params: 0, tags: 0) }
        #expect(throws: KaizenError.self) { try TrackingValidation.validateBatch(metrics: 0, params: 101, tags: 0) }
        #expect(throws: KaizenError.self) { try TrackingValidation.validateBatch(metrics: 0, params: 0, tags: 101) }
        #expect(throws: KaizenError.self) { try TrackingValidation.validateBatch(metrics: 950, params: 51, tags: 0) }
    }

    @Test func experimentIDsAreIntegers() throws {
        #expect(try TrackingValidation.parseExperimentID("12") == 12)
        #expect(
            throws: KaizenError.invalidParameter("Invalid experiment ID 'abc'. Experiment ID must be a valid integer.")
        ) { try TrackingValidation.parseExperimentID("abc") }
    }
}
