/// A named graph input or output with its declared type.
public struct ValueInfo: Sendable, Equatable {
    /// The name that `run` takes or returns the value under.
    public let name: String
    /// The declared type.
    public let type: ValueType

    public init(name: String, type: ValueType) {
        self.name = name
        self.type = type
    }
}
