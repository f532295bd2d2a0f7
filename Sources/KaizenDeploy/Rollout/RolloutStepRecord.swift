public import KaizenCore

/// A step's analysis as the rollout recorded it: the verdict, the traffic it was measured under, and what the
/// rollout decided.
public struct RolloutStepRecord: Sendable, Equatable {
    /// What the rollout did with a verdict.
    public enum Decision: String, Sendable, Equatable, CaseIterable {
        /// Not decided yet: the latest evaluation of the running step.
        case pending
        /// The step passed with enough requests and time; the rollout moved on (or promoted, or completed).
        case advanced
        /// The step failed; the rollout rolled back.
        case failed
        /// The step found no decisive data within the time-out; the rollout paused.
        case timedOut = "timed_out"
    }

    /// The step's index, from 0.
    public var step: Int
    /// The traffic split the verdict was measured under.
    public var weights: RolloutWeights
    /// When the step (or its resumption) started, in milliseconds.
    public var startedAt: Int64
    /// When this verdict came in (or the step timed out), in milliseconds.
    public var decidedAt: Int64
    /// Candidate requests the verdict was based on.
    public var candidateRequests: UInt64
    /// The analysis's verdict; an empty one when a step timed out without any.
    public var verdict: StepVerdict
    /// What the rollout did with the verdict.
    public var decision: Decision

    /// A record of step `step`'s verdict.
    public init(
        step: Int, weights: RolloutWeights, startedAt: Int64, decidedAt: Int64, candidateRequests: UInt64,
        verdict: StepVerdict, decision: Decision
    ) {
        self.step = step
        self.weights = weights
        self.startedAt = startedAt
        self.decidedAt = decidedAt
        self.candidateRequests = candidateRequests
        self.verdict = verdict
        self.decision = decision
    }

    /// `{"step", "weights", "started_at", "decided_at", "candidate_requests", "decision", "verdict"}`.
    public var json: JSONValue {
        .object([
            ("step", .integer(Int64(step))), ("weights", weights.json), ("started_at", .integer(startedAt)),
            ("decided_at", .integer(decidedAt)), ("candidate_requests", JSONObjectReader.integer(candidateRequests)),
            ("decision", .string(decision.rawValue)), ("verdict", verdict.json),
        ])
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        guard let step = try reader.count("step"), let index = Int(exactly: step) else {
            throw reader.fail("step", "must be a step index")
        }
        guard let weights = try reader.object("weights") else { throw reader.fail("weights", "is required") }
        guard let decision = Decision(rawValue: try reader.requireString("decision")) else {
            throw reader.fail("decision", "must be one of \(Decision.allCases.map(\.rawValue))")
        }
        guard let verdict = try reader.object("verdict") else { throw reader.fail("verdict", "is required") }
        self.init(
            step: index, weights: try RolloutWeights(reader: weights), startedAt: try reader.requireInt64("started_at"),
            decidedAt: try reader.requireInt64("decided_at"),
            candidateRequests: try reader.count("candidate_requests") ?? 0,
            verdict: try StepVerdict(reader: verdict), decision: decision)
    }
}
