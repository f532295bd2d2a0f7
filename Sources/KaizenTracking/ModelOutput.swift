/// A logged model produced by a run at a step.
public struct ModelOutput: Sendable, Hashable {
    public var modelID: String
    public var step: Int64

    public init(modelID: String, step: Int64) {
        self.modelID = modelID
        self.step = step
    }
}
