public import KaizenCore

extension Rollout {
    /// The rollout as the REST API returns it and a store persists it:
    ///
    /// ```json
    /// {"id": "…", "endpoint": "fraud", "stable_version": "3", "candidate_version": "4",
    ///  "strategy": {"name": "canary", "steps": [5, 25, 50, 100]},
    ///  "settings": {"step_requests": 200, "step_duration_ms": 60000, "step_timeout_ms": 600000},
    ///  "phase": "paused", "step": 1, "reason": "step_timeout",
    ///  "weights": {"stable": 75, "candidate": 25, "shadow": 0}, "step_started_at": 1733300000000,
    ///  "latest_evaluation": {…}, "history": [{…}], "contract_checks": [{"name", "passed", "detail"}],
    ///  "created_at": 1733299000000, "updated_at": 1733300600000}
    /// ```
    ///
    /// `step` is present in the phases `step` and `paused` (the step to resume), `reason` in `paused`
    /// (`manual`, `step_timeout`) and `rolled_back` (a sentence); `weights` is `currentWeights`, written for
    /// readers and ignored when read back; `latest_evaluation` is absent when there is none.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("id", .string(id)), ("endpoint", .string(endpoint)),
            ("stable_version", .string(String(stableVersion))),
            ("candidate_version", .string(String(candidateVersion))),
            ("strategy", strategy.json), ("settings", settings.json), ("phase", .string(phase.name)),
        ]
        if let index = phase.stepIndex { fields.append(("step", .integer(Int64(index)))) }
        switch phase {
        case .paused(let reason, _): fields.append(("reason", .string(reason.rawValue)))
        case .rolledBack(let reason): fields.append(("reason", .string(reason)))
        default: break
        }
        fields += [("weights", currentWeights.json), ("step_started_at", .integer(stepStartedAt))]
        if let latestEvaluation { fields.append(("latest_evaluation", latestEvaluation.json)) }
        fields += [
            ("history", .array(history.map(\.json))), ("contract_checks", .array(contractChecks.map(\.json))),
            ("created_at", .integer(createdAt)), ("updated_at", .integer(updatedAt)),
        ]
        return .object(fields)
    }

    /// Reads a rollout back from `json`'s shape, validating it as `start` does; a malformed document is refused
    /// with `INVALID_PARAMETER_VALUE` and a message naming the field.
    public init(json: JSONValue) throws(KaizenError) {
        let reader = try JSONObjectReader(json, document: "rollout")
        guard let strategyReader = try reader.object("strategy") else { throw reader.fail("strategy", "is required") }
        let strategy = try RolloutStrategy(reader: strategyReader)
        let settings = try reader.object("settings").map { reader throws(KaizenError) in
            try RolloutSettings(reader: reader)
        }
        let stable = try reader.requireVersion("stable_version")
        let candidate = try reader.requireVersion("candidate_version")
        guard stable != candidate else { throw reader.fail("candidate_version", "must differ from 'stable_version'") }
        var history: [RolloutStepRecord] = []
        for (index, item) in (try reader.array("history") ?? []).enumerated() {
            history.append(try RolloutStepRecord(reader: reader.element("history", index, item)))
        }
        var checks: [ContractCheckResult] = []
        for (index, item) in (try reader.array("contract_checks") ?? []).enumerated() {
            checks.append(try ContractCheckResult(reader: reader.element("contract_checks", index, item)))
        }
        self.init(
            id: try reader.requireString("id"), endpoint: try reader.requireString("endpoint"),
            stableVersion: stable, candidateVersion: candidate, strategy: strategy,
            settings: settings ?? RolloutSettings(), phase: try Self.phase(reader, strategy: strategy),
            stepStartedAt: try reader.requireInt64("step_started_at"), history: history,
            latestEvaluation: try reader.object("latest_evaluation").map { reader throws(KaizenError) in
                try RolloutStepRecord(reader: reader)
            },
            contractChecks: checks, createdAt: try reader.requireInt64("created_at"),
            updatedAt: try reader.requireInt64("updated_at"))
    }

    static func phase(_ reader: JSONObjectReader, strategy: RolloutStrategy) throws(KaizenError) -> RolloutPhase {
        func step() throws(KaizenError) -> Int {
            guard let step = try reader.count("step"), step < UInt64(strategy.stepCount) else {
                throw reader.fail("step", "must be a step index below \(strategy.stepCount)")
            }
            return Int(step)
        }
        switch try reader.requireString("phase") {
        case "contract_checks": return .contractChecks
        case "step": return .step(try step())
        case "paused":
            guard let reason = RolloutPauseReason(rawValue: try reader.requireString("reason")) else {
                throw reader.fail("reason", "must be one of \(RolloutPauseReason.allCases.map(\.rawValue))")
            }
            return .paused(reason: reason, resumeTo: try step())
        case "promoted": return .promoted
        case "rolled_back": return .rolledBack(reason: try reader.string("reason") ?? "")
        case "aborted": return .aborted
        case "shadow_completed": return .shadowCompleted
        default: throw reader.fail("phase", "must be one of \(RolloutPhase.names)")
        }
    }
}
