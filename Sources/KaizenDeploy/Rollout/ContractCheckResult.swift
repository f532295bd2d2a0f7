public import KaizenCore

/// One contract check run before the candidate gets traffic: every replica loaded it, its signature is compatible,
/// it answers the examples with the same output names and JSON types, it meets the latency budget.
public struct ContractCheckResult: Sendable, Equatable {
    /// `replicas_loaded`, `signature`, `examples`, `latency_budget`, or another check's name.
    public var name: String
    /// Whether the candidate met the check.
    public var passed: Bool
    /// A sentence for `kaizen rollouts status`: what was compared, what differed.
    public var detail: String

    /// A check's result.
    public init(name: String, passed: Bool, detail: String = "") {
        self.name = name
        self.passed = passed
        self.detail = detail
    }

    /// `{"name": "signature", "passed": true, "detail": "..."}`.
    public var json: JSONValue {
        .object([("name", .string(name)), ("passed", .bool(passed)), ("detail", .string(detail))])
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        guard let passed = try reader.bool("passed") else { throw reader.fail("passed", "is required") }
        self.init(name: try reader.requireString("name"), passed: passed, detail: try reader.string("detail") ?? "")
    }
}
