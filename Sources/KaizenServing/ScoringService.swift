public import KaizenCore
import KaizenONNX

/// Serving's one scoring call: a request in either protocol goes in, the served model's answer comes out. Routes,
/// batch prediction and tests all score through it, so the sequence parse → prepare → score → order outputs is
/// written once.
///
/// The model is read from the slot once per request, so a version swap never mixes versions within a request.
/// Engine calls go through the micro-batcher when there is one, otherwise they run on the caller's task.
public struct ScoringService: Sendable {
    /// The model, or the endpoint's versions, served now.
    public let slot: ModelSlot
    /// Stacks concurrent requests into one engine call; `nil` scores each request on its own.
    public let batcher: MicroBatcher?
    /// Scores copies of requests on shadow versions; `nil` when nothing is shadowed.
    public let mirror: ShadowMirror?
    let observe: @Sendable (_ model: ScoringModel, _ rows: Int) -> Void

    /// - Parameter observe: called with the rows of every engine call made without the batcher (the batcher reports
    ///   its own calls).
    public init(
        slot: ModelSlot, batcher: MicroBatcher? = nil, mirror: ShadowMirror? = nil,
        observe: @escaping @Sendable (_ model: ScoringModel, _ rows: Int) -> Void = { _, _ in }
    ) {
        self.slot = slot
        self.batcher = batcher
        self.mirror = mirror
        self.observe = observe
    }

    /// A service for one fixed model, without batching (batch prediction, tests).
    public init(model: ScoringModel) {
        self.init(slot: ModelSlot(model))
    }

    /// Scores an MLflow scoring request (`/invocations`: a DataFrame, a tensor or named tensors) on the version the
    /// plan routes it to (by `routingKey` when given), and queues its copies for the plan's shadows.
    public func predict(_ input: ScoringInput, routingKey: String? = nil) async throws(ServingError) -> Prediction {
        let (plan, model) = try route(routingKey)
        return try await predict(input, with: model, plan: plan, routingKey: routingKey)
    }

    /// The plan for a request that starts now and the version that answers it: for routes that must know the
    /// version before the request is read, so a refused request counts against the version that refused it.
    public func route(_ routingKey: String?) throws(ServingError) -> (ServingPlan, ScoringModel) {
        let plan = try slot.require()
        return (plan, plan.route(routingKey))
    }

    /// Scores `input` on `model`, a version `route` chose from `plan`.
    public func predict(
        _ input: ScoringInput, with model: ScoringModel, plan: ServingPlan, routingKey: String?
    ) async throws(ServingError) -> Prediction {
        let prepared = try model.prepare(input)
        let outputs = try await score(prepared.feeds, rows: prepared.rows, with: model)
        let prediction = Prediction(model: model, rows: prepared.rows, style: prepared.style, outputs: outputs)
        if let mirror, !plan.shadow.isEmpty {
            for shadow in plan.shadows(routingKey) { mirror.submit(input, to: shadow, answer: prediction) }
        }
        return prediction
    }

    /// Scores an Open Inference Protocol `/infer` request addressed to model `name` (and `version`, if the path gave
    /// one); `header` is the request's JSON and `binary` the tensor data that followed it.
    public func infer(
        _ header: JSONValue, binary: [UInt8] = [], name: String, version: String?, routingKey: String? = nil
    ) async throws(ServingError) -> OpenInference.Response {
        try await infer(
            header, binary: binary, with: try self.model(named: name, version: version, routingKey: routingKey))
    }

    /// Scores an Open Inference Protocol request on `model`, a version `model(named:version:routingKey:)` chose.
    public func infer(
        _ header: JSONValue, binary: [UInt8] = [], with model: ScoringModel
    ) async throws(ServingError) -> OpenInference.Response {
        let request = try OpenInference.request(header, binary: binary, for: model)
        let outputs = try await score(request.feeds, rows: request.rows, with: model)
        return OpenInference.response(outputs, request: request, model: model)
    }

    /// The served model if it is the one `name` and `version` (when given) ask for; a 404 otherwise. Without a
    /// version, an endpoint's request is routed by its weights.
    public func model(
        named name: String, version: String?, routingKey: String? = nil
    ) throws(ServingError) -> ScoringModel {
        let plan = try slot.require()
        let model = version.flatMap { plan.model(version: $0) } ?? plan.route(routingKey)
        guard name == model.name, version == nil || version == model.version else {
            let known =
                model.name
                + (plan.models.count > 1
                    ? " versions \(plan.models.compactMap(\.version))"
                    : model.version.map { " version \($0)" } ?? "")
            let asked = name + (version.map { " version \($0)" } ?? "")
            throw ServingError.notServed("Model \(asked) is not served here; this server serves \(known)")
        }
        return model
    }

    func score(
        _ feeds: [String: Tensor], rows: Int, with model: ScoringModel
    ) async throws(ServingError) -> [String: Value] {
        if let batcher { return try await batcher.score(feeds, rows: rows, with: model) }
        observe(model, rows)
        return try model.run(feeds)
    }
}
