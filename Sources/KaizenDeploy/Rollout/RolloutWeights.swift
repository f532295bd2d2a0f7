public import KaizenCore

/// How an endpoint's traffic is split during a rollout, in percent: `stable + candidate == 100`, and `shadow` is
/// the percentage of requests also mirrored to the candidate, whose answers are compared but never returned.
public struct RolloutWeights: Sendable, Equatable {
    /// Percent of requests the stable version answers.
    public var stable: Int
    /// Percent of requests the candidate answers.
    public var candidate: Int
    /// Percent of requests also mirrored to the candidate.
    public var shadow: Int

    /// A split; the caller keeps `stable + candidate == 100`.
    public init(stable: Int, candidate: Int, shadow: Int = 0) {
        self.stable = stable
        self.candidate = candidate
        self.shadow = shadow
    }

    /// Everything to the stable version: before a rollout's first step and after it ends without promotion.
    public static let stableOnly = RolloutWeights(stable: 100, candidate: 0)
    /// Everything to the candidate: a promoted rollout.
    public static let candidateOnly = RolloutWeights(stable: 0, candidate: 100)

    /// `{"stable": 95, "candidate": 5, "shadow": 0}`.
    public var json: JSONValue {
        .object([
            ("stable", .integer(Int64(stable))), ("candidate", .integer(Int64(candidate))),
            ("shadow", .integer(Int64(shadow))),
        ])
    }

    init(reader: JSONObjectReader) throws(KaizenError) {
        func percent(_ key: String) throws(KaizenError) -> Int {
            guard let value = try reader.int64(key), (0...100).contains(value) else {
                throw reader.fail(key, "must be a percentage from 0 to 100")
            }
            return Int(value)
        }
        self.init(stable: try percent("stable"), candidate: try percent("candidate"), shadow: try percent("shadow"))
        guard stable + candidate == 100 else { throw reader.fail("candidate", "and 'stable' must sum to 100") }
    }
}
