/// An alias that points at one version of a model.
public struct ModelAlias: Sendable, Hashable {
    public var alias: String
    public var version: Int64

    public init(alias: String, version: Int64) {
        self.alias = alias
        self.version = version
    }
}
