/// A sequence of maps that share their keys: one map per row, as ZipMap turns class scores into `{label: score}`.
public struct MapSequence: Sendable, Equatable {
    /// The keys every map has, in order.
    public enum Keys: Sendable, Equatable {
        case int64([Int64])
        case string([String])

        public var count: Int {
            switch self {
            case .int64(let keys): keys.count
            case .string(let keys): keys.count
            }
        }

        var elementType: ElementType {
            switch self {
            case .int64: .int64
            case .string: .string
            }
        }
    }

    /// The keys of every map.
    public let keys: Keys
    /// The values, `count` rows by `keys.count` columns, row-major.
    public let values: [Float]

    public init(keys: Keys, values: [Float]) {
        self.keys = keys
        self.values = values
    }

    /// The number of maps.
    public var count: Int { keys.count == 0 ? 0 : values.count / keys.count }

    /// The values of one map, in key order.
    public func values(ofMap index: Int) -> ArraySlice<Float> {
        values[(index * keys.count)..<((index + 1) * keys.count)]
    }
}
