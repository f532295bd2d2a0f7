public import KaizenCore

/// How an endpoint that follows an alias rolls out the version the alias moves to: a strategy and its settings
/// (by default a canary over 5, 25, 50 and 100%, with the default settings).
public struct AliasRollout: Sendable, Equatable {
    public var strategy: RolloutStrategy
    public var settings: RolloutSettings

    public init(
        strategy: RolloutStrategy = .canary(steps: RolloutStrategy.defaultCanarySteps),
        settings: RolloutSettings = RolloutSettings()
    ) {
        self.strategy = strategy
        self.settings = settings
    }

    /// `{"strategy": {"name": "canary", "steps": [...]}, "settings": {...}}`, as rollouts write them.
    public var json: JSONValue {
        .object([("strategy", strategy.json), ("settings", settings.json)])
    }

    public init(json: JSONValue) throws(KaizenError) {
        let reader = try JSONObjectReader(json, document: "alias rollout")
        guard let strategy = try reader.object("strategy") else { throw reader.fail("strategy", "is required") }
        self.init(
            strategy: try RolloutStrategy(reader: strategy),
            settings: try reader.object("settings").map { reader throws(KaizenError) in
                try RolloutSettings(reader: reader)
            } ?? RolloutSettings())
    }
}
