import Synchronization

/// What a server answers with now: a ``ServingPlan`` of one model or of an endpoint's versions. A request reads the
/// slot once and uses that plan to the end, so a swap never mixes versions within a request and never fails one in
/// flight. A slot made empty is filled when the first model has loaded; until then the server is live but not ready.
public final class ModelSlot: Sendable {
    let current: Mutex<ServingPlan?>

    public init(_ model: ScoringModel) {
        current = Mutex(ServingPlan(model: model))
    }

    /// An empty slot, for a server that listens while its model loads.
    public init() {
        current = Mutex(nil)
    }

    /// The plan for a request that starts now; nil while the first model loads.
    public var plan: ServingPlan? { current.withLock { $0 } }

    /// The model that answers most traffic now; nil while the first model loads.
    public var model: ScoringModel? { plan?.primary }

    /// The plan for a request that starts now, or a 503 while the first model loads.
    public func require() throws(ServingError) -> ServingPlan {
        guard let plan else { throw ServingError.notReady("The model is still loading; try again shortly") }
        return plan
    }

    /// Makes `model` the one new requests get.
    public func replace(with model: ScoringModel) {
        replace(with: ServingPlan(model: model))
    }

    /// Makes `plan` the one new requests get.
    public func replace(with plan: ServingPlan) {
        current.withLock { $0 = plan }
    }
}
