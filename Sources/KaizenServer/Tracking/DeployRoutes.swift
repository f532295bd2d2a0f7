import Hummingbird
import KaizenCore
import KaizenDeploy
import KaizenRegistry

/// Kaizen's deployment endpoints under `/api/2.0/kaizen/endpoints`: create, get, list, update, delete.
enum DeployRoutes {
    /// A rollout's strategy and settings from the request's fields: `strategy` (canary, blue-green, shadow),
    /// `steps`, `promote_after_shadow`, `step_requests`, `step_seconds`, `step_timeout_seconds`, `thresholds` (an
    /// object of the analysis's limits; those left out keep their defaults).
    static func plan(_ message: RequestMessage) throws(KaizenError) -> AliasRollout {
        let strategy = try RolloutStrategy(
            name: try message.requireString("strategy"),
            steps: try message.value("steps").map { value throws(KaizenError) in try Self.steps(value) },
            promoteAfterShadow: try message.bool("promote_after_shadow") ?? false)
        let defaults = RolloutSettings()
        let settings = RolloutSettings(
            stepRequests: UInt64(try Self.positive(message, "step_requests") ?? Int64(defaults.stepRequests)),
            stepDuration: try Self.positive(message, "step_seconds").map { $0 * 1000 } ?? defaults.stepDuration,
            stepTimeout: try Self.positive(message, "step_timeout_seconds").map { $0 * 1000 } ?? defaults.stepTimeout,
            thresholds: try message.value("thresholds").map { value throws(KaizenError) in
                try AnalysisThresholds(json: value)
            } ?? defaults.thresholds)
        return AliasRollout(strategy: strategy, settings: settings)
    }

    /// Canary steps: a list of whole percentages.
    static func steps(_ value: JSONValue) throws(KaizenError) -> [Int] {
        guard let items = value.arrayValue else { throw .invalidParameter("'steps' must be a list of percentages") }
        return try items.map { item throws(KaizenError) -> Int in
            guard case .integer(let step) = item, (1...100).contains(step) else {
                throw .invalidParameter("'steps' must hold whole percentages from 1 to 100")
            }
            return Int(step)
        }
    }

    /// A positive whole number, if the field is there; seconds and counts are capped at a day and a billion.
    static func positive(_ message: RequestMessage, _ field: String) throws(KaizenError) -> Int64? {
        guard let value = try message.int64(field) else { return nil }
        guard value > 0, value <= 1_000_000_000 else {
            throw .invalidParameter("'\(field)' must be a positive whole number")
        }
        return value
    }

    static func register(on endpoints: EndpointRegistrar<some RequestContext>, deploy: DeployService) {
        endpoints.register("endpoints/create", namespace: "kaizen", methods: [.post]) { message in
            let endpoint = try await deploy.create(
                name: try message.requireString("name"), model: try message.requireString("model_name"),
                traffic: try Endpoint.weights(from: try message.value("traffic"), field: "traffic"),
                shadow: try Endpoint.weights(from: try message.value("shadow"), field: "shadow"),
                followAlias: try message.string("follow_alias"),
                aliasRollout: try message.message("alias_rollout").map { part throws(KaizenError) in try Self.plan(part)
                },
                description: try message.string("description") ?? "",
                actor: Actor(message.actor))
            return .object([("endpoint", endpoint.json)])
        }
        endpoints.register("endpoints/get", namespace: "kaizen", methods: [.get]) { message in
            .object([("endpoint", try await deploy.endpoint(named: try message.requireString("name")).json)])
        }
        endpoints.register("endpoints/list", namespace: "kaizen", methods: [.get]) { _ in
            .object([("endpoints", .array(try await deploy.list().map(\.json)))])
        }
        endpoints.register("endpoints/update", namespace: "kaizen", methods: [.patch, .post]) { message in
            let traffic = try message.value("traffic")
            let shadow = try message.value("shadow")
            var followAlias: String?? = nil
            if let alias = try message.value("follow_alias") {
                followAlias = .some(alias == .null || alias == .string("") ? nil : try message.string("follow_alias"))
            }
            let endpoint = try await deploy.update(
                name: try message.requireString("name"),
                traffic: try traffic.map { value throws(KaizenError) in
                    try Endpoint.weights(from: value, field: "traffic")
                },
                shadow: try shadow.map { value throws(KaizenError) in try Endpoint.weights(from: value, field: "shadow")
                },
                followAlias: followAlias,
                aliasRollout: try message.message("alias_rollout").map { part throws(KaizenError) in
                    .some(try Self.plan(part))
                }, description: try message.string("description"), actor: Actor(message.actor))
            return .object([("endpoint", endpoint.json)])
        }
        // Replicas of `kaizen models serve --endpoint` report what they saw every few seconds.
        endpoints.register("endpoints/report", namespace: "kaizen", methods: [.post]) { message in
            let report = try ReplicaReport(json: message.checkedFields())
            let kept = try await deploy.record(report)
            return .object([("recorded", .bool(kept))])
        }
        endpoints.register("rollouts/start", namespace: "kaizen", methods: [.post]) { message in
            let plan = try Self.plan(message)
            let rollout = try await deploy.startRollout(
                endpoint: try message.requireString("endpoint"), version: try message.requireInt64("version"),
                strategy: plan.strategy, settings: plan.settings, actor: Actor(message.actor))
            return .object([("rollout", rollout.json)])
        }
        endpoints.register("rollouts/get", namespace: "kaizen", methods: [.get]) { message in
            .object([("rollout", try await deploy.rollout(endpoint: try message.requireString("endpoint")).json)])
        }
        endpoints.register("rollouts/list", namespace: "kaizen", methods: [.get]) { message in
            .object([
                (
                    "rollouts",
                    .array(try await deploy.rollouts(endpoint: try message.requireString("endpoint")).map(\.json))
                )
            ])
        }
        for (command, event) in [
            ("pause", RolloutEvent.pause), ("resume", .resume), ("abort", .abort), ("promote", .promote),
        ] {
            endpoints.register("rollouts/\(command)", namespace: "kaizen", methods: [.post]) { message in
                let rollout = try await deploy.command(
                    event, endpoint: try message.requireString("endpoint"), actor: Actor(message.actor))
                return .object([("rollout", rollout.json)])
            }
        }
        endpoints.register("endpoints/delete", namespace: "kaizen", methods: [.delete]) { message in
            try await deploy.delete(name: try message.requireString("name"), actor: Actor(message.actor))
            return .object([])
        }
    }
}
