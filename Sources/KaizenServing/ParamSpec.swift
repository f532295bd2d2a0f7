public import KaizenCore

/// One inference parameter of a signature (`signature.params` in `MLmodel`): a name, an MLflow type, the default the
/// model uses when a request leaves it out and, for a list parameter, its shape.
public struct ParamSpec: Sendable, Equatable {
    public var name: String
    /// MLflow's type name (`string`, `long`, `double`, `boolean`, `datetime`, ...).
    public var type: String
    public var defaultValue: JSONValue
    /// `[-1]` for a list parameter; nil for a single value.
    public var shape: [Int]?

    public init(name: String, type: String, defaultValue: JSONValue, shape: [Int]? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.shape = shape
    }

    /// The params of the JSON text that MLflow stores (as a YAML string) under `signature.params`; entries without a
    /// name or a type are left out. Serving ignores params, so a schema it cannot read never stops a model loading.
    static func list(parsingJSON text: String) -> [ParamSpec] {
        guard let specs = (try? JSONValue(parsing: text))?.arrayValue else { return [] }
        return specs.compactMap { spec in
            guard let name = spec["name"]?.stringValue, let type = spec["type"]?.stringValue else { return nil }
            let shape = spec["shape"]?.arrayValue?.compactMap { $0.int64Value.map { Int($0) } }
            return ParamSpec(name: name, type: type, defaultValue: spec["default"] ?? .null, shape: shape)
        }
    }
}
