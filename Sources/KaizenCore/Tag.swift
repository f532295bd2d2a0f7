/// A key and a value attached to an experiment, run, logged model, dataset input, registered model or version.
public struct Tag: Sendable, Hashable {
    public var key: String
    public var value: String

    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
