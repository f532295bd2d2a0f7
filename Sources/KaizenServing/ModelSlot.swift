import Synchronization

/// The model a server answers with now. A request reads the slot once and uses that model to the end, so a swap
/// never mixes versions within a request and never fails one in flight. A slot made empty is filled when the first
/// model has loaded; until then the server is live but not ready.
public final class ModelSlot: Sendable {
    let current: Mutex<ScoringModel?>

    public init(_ model: ScoringModel) {
        current = Mutex(model)
    }

    /// An empty slot, for a server that listens while its model loads.
    public init() {
        current = Mutex(nil)
    }

    /// The model to use for a request that starts now; nil while the first model loads.
    public var model: ScoringModel? { current.withLock { $0 } }

    /// The model to use for a request that starts now, or a 503 while the first model loads.
    public func require() throws(ServingError) -> ScoringModel {
        guard let model else { throw ServingError.notReady("The model is still loading; try again shortly") }
        return model
    }

    /// Makes `model` the one new requests get.
    public func replace(with model: ScoringModel) {
        current.withLock { $0 = model }
    }
}
