public import KaizenCore

/// How a rollout moves traffic from the stable version to the candidate.
///
/// - `canary`: one step per percentage of traffic to the candidate (`[5, 25, 50, 100]`); each must pass analysis.
///   When the last percentage is below 100 and passes, the candidate is promoted to 100.
/// - `blueGreen`: a single step with the candidate at 100% at once; the step's analysis (over its first window)
///   must pass, or traffic returns to the stable version.
/// - `shadow`: a single step where the candidate answers nothing and sees a mirror of every request. When it
///   passes, the candidate is promoted if `promote` (`--promote-after-shadow`); otherwise the rollout ends as
///   `shadow_completed` and the stable version keeps all traffic.
///
/// Steps at 100% give the stable version no live traffic: their analysis compares the candidate with the stable
/// version's counts from before the step.
public enum RolloutStrategy: Sendable, Equatable {
    /// One step per percentage of traffic to the candidate.
    case canary(steps: [Int])
    /// One step with the candidate at 100%.
    case blueGreen
    /// One step mirroring every request to the candidate; `promote` when it passes, or end as `shadow_completed`.
    case shadow(promote: Bool)

    /// The steps of `--strategy canary` when `--steps` is not given.
    public static let defaultCanarySteps = [5, 25, 50, 100]

    /// The strategy from the CLI and REST options: `name` is `canary`, `blue-green` (or `blue_green`) or `shadow`;
    /// `steps` applies to canary only, `promoteAfterShadow` to shadow only.
    public init(name: String, steps: [Int]? = nil, promoteAfterShadow: Bool = false) throws(KaizenError) {
        switch name {
        case "canary":
            self = .canary(steps: steps ?? Self.defaultCanarySteps)
        case "blue-green", "blue_green", "bluegreen":
            self = .blueGreen
        case "shadow":
            self = .shadow(promote: promoteAfterShadow)
        default:
            throw .invalidParameter("Unknown rollout strategy '\(name)': use canary, blue-green or shadow")
        }
        if steps != nil, self.name != "canary" {
            throw .invalidParameter("Steps apply to the canary strategy only")
        }
        if promoteAfterShadow, self.name != "shadow" {
            throw .invalidParameter("Promote-after-shadow applies to the shadow strategy only")
        }
        try validate()
    }

    /// `canary`, `blue_green` or `shadow`.
    public var name: String {
        switch self {
        case .canary: "canary"
        case .blueGreen: "blue_green"
        case .shadow: "shadow"
        }
    }

    /// How many steps of analysis the rollout has.
    public var stepCount: Int {
        if case .canary(let steps) = self { return steps.count }
        return 1
    }

    /// The traffic split of step `index` (clamped to the steps there are).
    public func weights(atStep index: Int) -> RolloutWeights {
        switch self {
        case .canary(let steps):
            guard let last = steps.indices.last else { return .stableOnly }
            let percent = steps[min(max(index, 0), last)]
            return RolloutWeights(stable: 100 - percent, candidate: percent)
        case .blueGreen:
            return .candidateOnly
        case .shadow:
            return RolloutWeights(stable: 100, candidate: 0, shadow: 100)
        }
    }

    /// Canary steps are percentages from 1 to 100, strictly increasing, at least one.
    func validate() throws(KaizenError) {
        guard case .canary(let steps) = self else { return }
        guard !steps.isEmpty else { throw .invalidParameter("A canary rollout needs at least one step") }
        guard steps.allSatisfy({ (1...100).contains($0) }), zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 })
        else {
            throw .invalidParameter(
                "Canary steps are percentages from 1 to 100 in increasing order, such as 5,25,50,100; got "
                    + steps.map(String.init).joined(separator: ","))
        }
    }

    /// `{"name": "canary", "steps": [5, 25, 50, 100]}`, `{"name": "blue_green"}`,
    /// `{"name": "shadow", "promote_after_shadow": false}`.
    public var json: JSONValue {
        switch self {
        case .canary(let steps):
            .object([("name", .string(name)), ("steps", .array(steps.map { .integer(Int64($0)) }))])
        case .blueGreen:
            .object([("name", .string(name))])
        case .shadow(let promote):
            .object([("name", .string(name)), ("promote_after_shadow", .bool(promote))])
        }
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        let name = try reader.requireString("name")
        var steps: [Int]?
        if let items = try reader.array("steps") {
            steps = []
            for item in items {
                guard let step = item.int64Value, let percent = Int(exactly: step) else {
                    throw reader.fail("steps", "must be a list of integer percentages")
                }
                steps?.append(percent)
            }
        }
        let promote = try reader.bool("promote_after_shadow") ?? false
        do {
            try self.init(name: name, steps: steps, promoteAfterShadow: promote)
        } catch {
            throw reader.fail("is invalid: \(error.message)")
        }
    }
}
