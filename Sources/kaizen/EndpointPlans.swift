import Foundation
import Hummingbird
import KaizenClient
import KaizenCore
import KaizenServer
import KaizenServing
import Logging

/// The serving plan of a deployment endpoint, read from the tracking server: its versions (loaded once each and
/// kept while they have traffic), weights and shadow shares, rebuilt when the endpoint's revision changes.
struct EndpointPlans: Sendable {
    let name: String
    let locator: ModelLocator
    let client: TrackingClient
    let logger: Logger

    init(name: String, locator: ModelLocator, logger: Logger) throws {
        guard let client = locator.client else {
            throw KaizenError.invalidParameter(
                "--endpoint needs a tracking server: set MLFLOW_TRACKING_URI or pass --tracking-uri")
        }
        self.name = name
        self.locator = locator
        self.client = client
        self.logger = logger
    }

    func application(
        configuration: ServingConfiguration, pollInterval: Duration, reportInterval: Duration
    ) -> some ApplicationProtocol {
        buildServingApplication(
            loadingPlan: {
                guard let plan = try await plan(replacing: nil) else {
                    throw KaizenError.notFound("Endpoint '\(name)' has no plan")
                }
                return plan
            },
            configuration: configuration, logger: logger, watch: { current in try await plan(replacing: current) },
            pollInterval: pollInterval, reports: (name, client, reportInterval))
    }

    /// The endpoint's plan, or nil when its revision is still `current`'s. Versions `current` already loaded are
    /// reused; new ones are downloaded and loaded before the plan is returned, so a switch never waits on a load.
    func plan(replacing current: ServingPlan?) async throws -> ServingPlan? {
        let endpoint = try await client.call("endpoints/get", namespace: "kaizen", get: [("name", name)])["endpoint"]
        guard let endpoint, let model = endpoint["model_name"]?.stringValue,
            let revision = endpoint["revision"]?.int64Value
        else { throw KaizenError.notFound("The tracking server answered no endpoint '\(name)'") }
        if let current, current.revision == revision { return nil }
        var loaded: [String: ScoringModel] = [:]
        for model in current?.models ?? [] { if let version = model.version { loaded[version] = model } }
        func shares(_ field: String) async throws -> [ServingPlan.Share] {
            var shares: [ServingPlan.Share] = []
            for item in endpoint[field]?.arrayValue ?? [] {
                guard let version = item["version"]?.stringValue, let weight = item["weight"]?.int64Value, weight > 0
                else { continue }
                if loaded[version] == nil {
                    let started = ContinuousClock.now
                    let located = try await locator.locate(.version(name: model, version: version))
                    loaded[version] = try await ModelSourceOptions.load(located, with: locator)
                    logger.notice(
                        "loaded \(model) version \(version) for endpoint \(name) in \(ContinuousClock.now - started)")
                }
                if let scoring = loaded[version] {
                    shares.append(ServingPlan.Share(model: scoring, percent: Int(weight)))
                }
            }
            return shares
        }
        let traffic = try await shares("traffic")
        guard !traffic.isEmpty else {
            throw KaizenError.invalidParameter("Endpoint '\(name)' has no version with traffic")
        }
        let plan = ServingPlan(traffic: traffic, shadow: try await shares("shadow"), revision: revision)
        let weights = plan.traffic.map { "v\($0.model.version ?? "?")=\($0.percent)%" }
        let shadows = plan.shadow.map { "v\($0.model.version ?? "?")=\($0.percent)%" }
        logger.notice("endpoint \(name) revision \(revision): traffic \(weights) shadow \(shadows)")
        return plan
    }
}
