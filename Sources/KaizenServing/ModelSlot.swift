import Synchronization

/// The model a server answers with now. A request reads the slot once and uses that model to the end, so a swap
/// never mixes versions within a request and never fails one in flight.
public final class ModelSlot: Sendable {
    let current: Mutex<ScoringModel>

    public init(_ model: ScoringModel) {
        current = Mutex(model)
    }

    /// The model to use for a request that starts now.
    public var model: ScoringModel { current.withLock { $0 } }

    /// Makes `model` the one new requests get.
    public func replace(with model: ScoringModel) {
        current.withLock { $0 = model }
    }
}
