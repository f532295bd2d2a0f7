/// ai.onnx.ml `LabelEncoder`: maps each input element through a key → value table, with a default for misses.
///
/// Opset 1 maps strings to their index in `classes_strings` and back; opset 2 takes `keys_*`/`values_*` lists;
/// opset 4 also takes `keys_tensor`/`values_tensor`/`default_tensor`.
struct LabelEncoderKernel: Kernel {
    /// A hashable key; floats compare by value, and every NaN is one key.
    enum Key: Hashable, Sendable {
        case string(String)
        case integer(Int64)
        case number(Double)

        init(_ storage: Tensor.Storage, _ index: Int) {
            switch storage {
            case .string(let v): self = .string(v[index])
            case .int64(let v): self = .integer(v[index])
            case .int32(let v): self = .integer(Int64(v[index]))
            case .bool(let v): self = .integer(v[index] ? 1 : 0)
            case .float(let v): self = .number(v[index].isNaN ? .nan : Double(v[index]))
            case .double(let v): self = .number(v[index].isNaN ? .nan : v[index])
            }
        }

        static func == (a: Key, b: Key) -> Bool {
            switch (a, b) {
            case (.string(let x), .string(let y)): x == y
            case (.integer(let x), .integer(let y)): x == y
            case (.number(let x), .number(let y)): x == y || (x.isNaN && y.isNaN)
            default: false
            }
        }

        func hash(into hasher: inout Hasher) {
            switch self {
            case .string(let x): hasher.combine(x)
            case .integer(let x): hasher.combine(x)
            case .number(let x): hasher.combine(x.isNaN ? Double.nan.bitPattern : (x == 0 ? 0 : x.bitPattern))
            }
        }
    }

    /// One direction of the table.
    struct Mapping: Sendable {
        let keyType: ElementType
        let table: [Key: Int]
        let values: Tensor.Storage
        let defaultValue: Tensor.Storage

        init(keys: Tensor.Storage, values: Tensor.Storage, defaultValue: Tensor.Storage) {
            keyType = keys.elementType
            var table: [Key: Int] = [:]
            for index in 0..<keys.count where table[Key(keys, index)] == nil { table[Key(keys, index)] = index }
            self.table = table
            self.values = values
            self.defaultValue = defaultValue
        }

        func accepts(_ type: ElementType) -> Bool {
            type == keyType || (keyType == .int64 && type == .int32) || (keyType == .float && type == .double)
                || (keyType == .double && type == .float)
        }
    }

    let mappings: [Mapping]

    init(_ context: NodeContext) throws(ONNXError) {
        if context.opset < 2 {
            // Opset 1 maps strings to their index in `classes_strings`, and indices back to strings.
            let classes = try context.strings("classes_strings") ?? []
            let indices = Tensor.Storage.int64((0..<classes.count).map { Int64($0) })
            mappings = [
                Mapping(
                    keys: .string(classes), values: indices,
                    defaultValue: .int64([Int64(try context.int("default_int64", default: -1))])),
                Mapping(
                    keys: indices, values: .string(classes),
                    defaultValue: .string([try context.string("default_string", default: "_Unused")])),
            ]
            return
        }
        let keys: Tensor.Storage
        let values: Tensor.Storage
        if let tensor = try context.tensor("keys_tensor") {
            keys = tensor.storage
        } else if let strings = try context.strings("keys_strings") {
            keys = .string(strings)
        } else if let ints = try context.int64s("keys_int64s") {
            keys = .int64(ints)
        } else if let floats = try context.floats("keys_floats") {
            keys = .float(floats)
        } else {
            throw context.invalid("needs keys ('keys_strings', 'keys_int64s', 'keys_floats' or 'keys_tensor')")
        }
        if let tensor = try context.tensor("values_tensor") {
            values = tensor.storage
        } else if let strings = try context.strings("values_strings") {
            values = .string(strings)
        } else if let ints = try context.int64s("values_int64s") {
            values = .int64(ints)
        } else if let floats = try context.floats("values_floats") {
            values = .float(floats)
        } else {
            throw context.invalid(
                "needs values ('values_strings', 'values_int64s', 'values_floats' or 'values_tensor')")
        }
        guard keys.count == values.count else {
            throw context.invalid("\(keys.count) keys but \(values.count) values")
        }
        let defaultValue: Tensor.Storage
        if let tensor = try context.tensor("default_tensor") {
            guard tensor.elementType == values.elementType, tensor.count == 1 else {
                throw context.invalid("'default_tensor' must hold one \(values.elementType)")
            }
            defaultValue = tensor.storage
        } else {
            switch values.elementType {
            case .string: defaultValue = .string([try context.string("default_string", default: "_Unused")])
            case .int64: defaultValue = .int64([Int64(try context.int("default_int64", default: -1))])
            case .float: defaultValue = .float([try context.float("default_float", default: -0.0)])
            case .int32: defaultValue = .int32([-1])
            case .double: defaultValue = .double([-0.0])
            case .bool: defaultValue = .bool([false])
            }
        }
        mappings = [Mapping(keys: keys, values: values, defaultValue: defaultValue)]
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "LabelEncoder X")
        guard let mapping = mappings.first(where: { $0.accepts(x.elementType) }) else {
            let types = mappings.map { "\($0.keyType)" }.joined(separator: " or ")
            throw .invalidArgument("LabelEncoder: the model maps \(types) keys, got tensor(\(x.elementType))")
        }
        let missing = mapping.values.count
        var picks: [Int] = []
        picks.reserveCapacity(x.count)
        for index in 0..<x.count { picks.append(mapping.table[Key(x.storage, index)] ?? missing) }
        return [.tensor(Tensor(unchecked: x.shape, Self.pick(mapping.values, mapping.defaultValue, picks)))]
    }

    private static func pick(_ values: Tensor.Storage, _ fallback: Tensor.Storage, _ picks: [Int]) -> Tensor.Storage {
        let missing = values.count
        func select<T>(_ v: [T], _ d: [T]) -> [T] { picks.map { $0 == missing ? d[0] : v[$0] } }
        switch (values, fallback) {
        case (.string(let v), .string(let d)): return .string(select(v, d))
        case (.int64(let v), .int64(let d)): return .int64(select(v, d))
        case (.int32(let v), .int32(let d)): return .int32(select(v, d))
        case (.float(let v), .float(let d)): return .float(select(v, d))
        case (.double(let v), .double(let d)): return .double(select(v, d))
        case (.bool(let v), .bool(let d)): return .bool(select(v, d))
        default: return values
        }
    }
}
