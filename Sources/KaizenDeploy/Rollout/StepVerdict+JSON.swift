public import KaizenCore

extension StepVerdict {
    /// `{"outcome": "pass", "checks": [{"name", "outcome", "figures": {...}, "reason"}]}`; the outcome is derived
    /// from the checks and ignored when read back.
    public var json: JSONValue {
        .object([("outcome", .string(outcome.rawValue)), ("checks", .array(checks.map(\.json)))])
    }

    /// Reads `json`'s shape.
    public init(json: JSONValue) throws(KaizenError) {
        try self.init(reader: JSONObjectReader(json, document: "step verdict"))
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        var checks: [CheckResult] = []
        for (index, item) in (try reader.array("checks") ?? []).enumerated() {
            checks.append(try CheckResult(reader: reader.element("checks", index, item)))
        }
        self.init(checks: checks)
    }
}

extension CheckResult {
    /// `{"name": "error_rate", "outcome": "fail", "figures": {"p_value": 0.001, ...}, "reason": "..."}`, figures
    /// sorted by name; non-finite figures are written as `"NaN"`, `"Infinity"`, `"-Infinity"`.
    public var json: JSONValue {
        .object([
            ("name", .string(name)), ("outcome", .string(outcome.rawValue)),
            ("figures", .object(figures.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) })),
            ("reason", .string(reason)),
        ])
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        guard let outcome = VerdictOutcome(rawValue: try reader.requireString("outcome")) else {
            throw reader.fail("outcome", "must be pass, fail or not_yet")
        }
        var figures: [String: Double] = [:]
        if let list = try reader.object("figures") {
            for (key, value) in list.fields {
                guard let number = JSONObjectReader.double(value) else { throw list.fail(key, "must be a number") }
                figures[key] = number
            }
        }
        self.init(
            name: try reader.requireString("name"), outcome: outcome, figures: figures,
            reason: try reader.string("reason") ?? "")
    }
}
