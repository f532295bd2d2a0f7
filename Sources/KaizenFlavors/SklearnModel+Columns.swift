import KaizenCore
import KaizenONNX

extension SklearnModel {
    static let columnTransformer = "sklearn.compose._column_transformer.ColumnTransformer"
    static let oneHotEncoder = "sklearn.preprocessing._encoders.OneHotEncoder"
    static let ordinalEncoder = "sklearn.preprocessing._encoders.OrdinalEncoder"
    static let functionTransformer = "sklearn.preprocessing._function_transformer.FunctionTransformer"
    static let simpleImputer = "sklearn.impute._base.SimpleImputer"
    /// Steps that pick, encode or pass columns, and may read text.
    static let columnSteps: Set<String> = [columnTransformer, oneHotEncoder, ordinalEncoder, functionTransformer]

    /// One encoded column's categories, in scikit-learn's order (sorted, a missing-value category last).
    struct Categories {
        /// The categories of a text column; nil for a numeric one.
        var strings: [String]?
        /// The categories of a numeric column, the missing-value category left out.
        var numbers: [Double]
        /// Whether a missing value (NaN, None) is the last category.
        var missing: Bool

        var count: Int { (strings?.count ?? numbers.count) + (missing ? 1 : 0) }

        init(_ value: Value, name: String, column: Int) throws(FlavorError) {
            func fail(_ problem: String) -> FlavorError { FlavorError("\(name) column \(column): \(problem)") }
            switch value {
            case .array(let array):
                guard array.shape.count == 1 else { throw fail("categories_ has shape \(array.shape)") }
                switch array.values {
                case .doubles(let items):
                    numbers = items.filter { !$0.isNaN }
                    missing = numbers.count < items.count
                    guard numbers.count + 1 >= items.count else { throw fail("categories_ has several NaN") }
                case .integers(let items):
                    numbers = items.map(Double.init)
                    missing = false
                case .strings(let items):
                    strings = items
                    numbers = []
                    missing = false
                case .records: throw fail("categories_ is a structured array")
                }
            case .list(let items):
                var texts: [String] = []
                var found = false
                for item in items {
                    switch item {
                    case .json(.string(let text)) where !found: texts.append(text)
                    case .json(.null) where !found: found = true
                    case .json(.double(let number)) where number.isNaN && !found: found = true
                    default: throw fail("categories_ mixes text with other values")
                    }
                }
                strings = texts
                numbers = []
                missing = found
            default: throw fail("categories_ is not an array")
            }
            guard count > 0 else { throw fail("has no categories") }
        }
    }

    /// An encoder's categories per column, checked against the columns it reads.
    static func categories(_ fields: [String: Value], name: String, width: Int) throws(FlavorError) -> [Categories] {
        guard case .list(let lists)? = fields["categories_"], lists.count == width else {
            throw FlavorError("\(name) has no categories_ for its \(width) columns")
        }
        if case .json(.bool(true))? = fields["_infrequent_enabled"] {
            throw FlavorError("\(name) groups infrequent categories, which Kaizen does not serve yet")
        }
        var result: [Categories] = []
        for (column, list) in lists.enumerated() { result.append(try Categories(list, name: name, column: column)) }
        return result
    }

    /// How the model reads one of its input columns.
    enum ColumnUse: Equatable {
        case number
        /// By an encoder with text categories, directly or through an imputer.
        case text
        /// Not at all (a `ColumnTransformer` drops it).
        case unused
    }

    /// How the model reads each input column, from its first step on (a `ColumnTransformer`, an encoder, a histogram
    /// gradient boosting model's own category encoder; any other step reads every column as a number).
    static func columnUses(of step: Value, width: Int) -> [ColumnUse] {
        var uses = [ColumnUse](repeating: .unused, count: width)
        func read(_ indices: [Int]) {
            for index in indices where uses[index] == .unused { uses[index] = .number }
        }
        func walk(_ step: Value, _ indices: [Int]) {
            guard let name = step.className, let fields = step.fields else {
                if step.string == "passthrough" { read(indices) }
                return
            }
            switch name {
            case columnTransformer:
                for (transformer, selected) in selections(fields, width: indices.count) {
                    walk(transformer, selected.map { indices[$0] })
                }
            case "sklearn.pipeline.Pipeline":
                for part in steps(step) {
                    walk(part, indices)
                    if part.className != simpleImputer { break }
                }
            case oneHotEncoder, ordinalEncoder:
                guard case .list(let lists)? = fields["categories_"], lists.count == indices.count else {
                    return read(indices)
                }
                for (column, list) in lists.enumerated() {
                    var text = false
                    if case .list = list { text = true }
                    if case .array(let array) = list, case .strings = array.values { text = true }
                    if text { uses[indices[column]] = .text } else { read([indices[column]]) }
                }
            default:
                if let preprocessor = fields["_preprocessor"], preprocessor.className == columnTransformer {
                    walk(preprocessor, indices)
                } else {
                    read(indices)
                }
            }
        }
        walk(step, Array(0..<width))
        return uses
    }

    /// A `ColumnTransformer`'s fitted transformers (drop and `drop` left in) with the input columns each reads.
    static func selections(_ fields: [String: Value], width: Int) -> [(Value, [Int])] {
        guard case .list(let entries)? = fields["transformers_"],
            case .dict(let indexMap)? = fields["_transformer_to_input_indices"]
        else { return [] }
        return entries.compactMap { entry in
            guard case .list(let triple) = entry, triple.count == 3, let name = triple[0].string,
                case .list(let items)? = indexMap[name]
            else { return nil }
            let indices = items.compactMap(integer)
            guard indices.count == items.count, indices.allSatisfy({ (0..<width).contains($0) }) else { return nil }
            return (triple[1], indices)
        }
    }
}

extension SklearnModel.Builder {
    /// Where a step reads its columns: one double matrix, or the model's inputs, one per column (double or text).
    enum Source {
        case matrix(String, width: Int)
        case columns([String], text: [Bool])

        var width: Int {
            switch self {
            case .matrix(_, let width): width
            case .columns(let names, _): names.count
            }
        }

        func isText(_ column: Int) -> Bool {
            if case .columns(_, let text) = self { text[column] } else { false }
        }
    }

    /// Column `index` of `source` as [N, 1].
    mutating func column(_ index: Int, of source: Source) throws(FlavorError) -> String {
        switch source {
        case .columns(let names, _): return names[index]
        case .matrix(let name, _):
            let position = constant(try Self.tensor(Tensor(shape: [1], int64s: [Int64(index)])), "column")
            return apply("Gather", [name, position], [("axis", .int(1))])
        }
    }

    /// Columns `indices` of `source` as one double matrix [N, count]; text columns cannot be.
    mutating func numericColumns(_ indices: [Int], of source: Source, for name: String) throws(FlavorError) -> String {
        switch source {
        case .matrix(let matrix, let width):
            if indices == Array(0..<width) { return matrix }
            let positions = constant(
                try Self.tensor(Tensor(shape: [indices.count], int64s: indices.map(Int64.init))), "columns")
            return apply("Gather", [matrix, positions], [("axis", .int(1))])
        case .columns(let names, let text):
            if let column = indices.first(where: { text[$0] }) {
                throw FlavorError("\(name) reads the text column '\(names[column])' as numbers")
            }
            if indices.count == 1 { return names[indices[0]] }
            return apply("Concat", indices.map { names[$0] }, [("axis", .int(1))])
        }
    }

    /// A step that picks or encodes columns (`ColumnTransformer`, `OneHotEncoder`, `OrdinalEncoder`,
    /// `FunctionTransformer`), or a numeric transformer, reading `indices` of `source`; leaves `current` at its
    /// output and answers its width.
    mutating func columns(
        _ step: SklearnModel.Value, indices: [Int], source: Source
    ) throws(FlavorError) -> Int {
        guard let name = step.className, let fields = step.fields else {
            throw FlavorError("A column transformer holds a step that is not an estimator")
        }
        if let n = SklearnModel.featuresIn(fields), n != indices.count {
            throw FlavorError("\(name) takes \(n) features, it is given \(indices.count)")
        }
        switch name {
        case SklearnModel.columnTransformer:
            return try columnTransformer(fields, indices: indices, source: source)
        case SklearnModel.oneHotEncoder, SklearnModel.ordinalEncoder:
            return try encode(name, fields, indices: indices, source: source)
        case "sklearn.pipeline.Pipeline":
            var width = indices.count
            var source = source
            var indices = indices
            for part in SklearnModel.steps(step) {
                if part.className == SklearnModel.simpleImputer, indices.allSatisfy({ source.isText($0) }) {
                    // Text reaches the model only as strings (a missing text cell is refused with the request), so
                    // an imputer in front of an encoder has nothing to fill.
                    continue
                }
                width = try columns(part, indices: indices, source: source)
                source = .matrix(current, width: width)
                indices = Array(0..<width)
            }
            return width
        case SklearnModel.functionTransformer:
            guard SklearnModel.passesThrough(fields) else {
                throw FlavorError("\(name) applies a function Kaizen does not compute")
            }
            current = try numericColumns(indices, of: source, for: name)
            return indices.count
        default:
            current = try numericColumns(indices, of: source, for: name)
            if SklearnModel.transformers.contains(name) {
                try transform(name, fields, width: indices.count)
                return indices.count
            }
            guard SklearnModel.reshapingTransformers.contains(name) else {
                throw FlavorError("\(name) is not a transformer Kaizen computes")
            }
            return try reshape(name, fields, width: indices.count)
        }
    }

    /// `ColumnTransformer.transform`: each fitted transformer on its columns, the outputs side by side in order.
    mutating func columnTransformer(
        _ fields: [String: SklearnModel.Value], indices: [Int], source: Source
    ) throws(FlavorError) -> Int {
        let selections = SklearnModel.selections(fields, width: indices.count)
        guard case .list(let entries)? = fields["transformers_"], selections.count == entries.count else {
            throw FlavorError("The ColumnTransformer has no fitted transformers_ with their columns")
        }
        var parts: [String] = []
        var width = 0
        for (transformer, selected) in selections where !selected.isEmpty {
            let columns = selected.map { indices[$0] }
            switch transformer {
            case .json(.string("drop")): continue
            case .json(.string("passthrough")):
                parts.append(try numericColumns(columns, of: source, for: "A pass-through"))
                width += columns.count
            default:
                width += try self.columns(transformer, indices: columns, source: source)
                parts.append(current)
            }
        }
        guard !parts.isEmpty else { throw FlavorError("The ColumnTransformer keeps no columns") }
        sideBySide(parts)
        return width
    }

    /// `OneHotEncoder.transform` (one double column per category, a dropped category left out, an unknown value all
    /// zeros or refused) or `OrdinalEncoder.transform` (the category's position; an unknown value `unknown_value` or
    /// refused; a missing value `encoded_missing_value` when missing was a category), column by column.
    mutating func encode(
        _ name: String, _ fields: [String: SklearnModel.Value], indices: [Int], source: Source
    ) throws(FlavorError) -> Int {
        let categories = try SklearnModel.categories(fields, name: name, width: indices.count)
        let unknown = fields["handle_unknown"]?.string ?? "error"
        let ordinal = name == SklearnModel.ordinalEncoder
        var drops: [Int?] = Array(repeating: nil, count: indices.count)
        if !ordinal, let value = fields["drop_idx_"] {
            drops = try Self.dropped(value, name: name, columns: indices.count)
        }
        var parts: [String] = []
        var width = 0
        for (position, column) in indices.enumerated() {
            let cells = try self.column(column, of: source)
            let known = categories[position]
            if known.strings != nil && !source.isText(column) {
                throw FlavorError("\(name) column \(position) has text categories but reads numbers")
            }
            let (indicators, matched) = try indicate(cells, known)
            if ordinal {
                let codes = (0..<known.count).map { $0 == known.count - 1 && known.missing ? 0 : Double($0) }
                let weights = constant(try Self.tensor(Tensor(shape: [known.count, 1], doubles: codes)), "codes")
                var value = apply("MatMul", [indicators, weights])
                switch unknown {
                case "use_encoded_value":
                    let fill = try Self.number(fields["unknown_value"], "unknown_value", name: name)
                    let unmatched = apply("Less", [matched, constant(Tensor(scalar: 0.5), "half")])
                    value = apply("Where", [unmatched, constant(Tensor(scalar: fill), "unknown"), value])
                case "error": value = try refuseUnmatched(matched, value)
                default: throw FlavorError("\(name) handles unknown categories as '\(unknown)'")
                }
                if known.missing && known.strings == nil {
                    let fill = try Self.number(fields["encoded_missing_value"], "encoded_missing_value", name: name)
                    let isMissing = apply("IsNaN", [cells])
                    value = apply("Where", [isMissing, constant(Tensor(scalar: fill), "missing"), value])
                }
                parts.append(value)
                width += 1
            } else {
                var value = indicators
                switch unknown {
                case "ignore", "infrequent_if_exist", "warn": break
                case "error": value = try refuseUnmatched(matched, value)
                default: throw FlavorError("\(name) handles unknown categories as '\(unknown)'")
                }
                var kept = known.count
                if let drop = drops[position] {
                    guard (0..<known.count).contains(drop) else {
                        throw FlavorError("\(name) drops category \(drop) of \(known.count) in column \(position)")
                    }
                    let keep = (0..<known.count).filter { $0 != drop }.map(Int64.init)
                    kept = keep.count
                    if keep.isEmpty { continue }
                    let positions = constant(try Self.tensor(Tensor(shape: [keep.count], int64s: keep)), "kept")
                    value = apply("Gather", [value, positions], [("axis", .int(1))])
                }
                parts.append(value)
                width += kept
            }
        }
        guard !parts.isEmpty else { throw FlavorError("\(name) keeps no columns") }
        sideBySide(parts)
        return width
    }

    /// [N, categories] doubles, 1 where `cells` ([N, 1]) is that category, and [N, 1] doubles, 1 where any matched.
    mutating func indicate(
        _ cells: String, _ categories: SklearnModel.Categories
    ) throws(FlavorError) -> (indicators: String, matched: String) {
        var pieces: [String] = []
        if let strings = categories.strings {
            if !strings.isEmpty {
                let table = constant(try Self.tensor(Tensor(shape: [strings.count], strings: strings)), "categories")
                pieces.append(apply("Equal", [cells, table]))
            }
            // A missing text category is never met: text cells are strings.
            if categories.missing { pieces.append(apply("Not", [apply("Equal", [cells, cells])])) }
        } else {
            if !categories.numbers.isEmpty {
                let table = constant(
                    try Self.tensor(Tensor(shape: [categories.numbers.count], doubles: categories.numbers)),
                    "categories")
                pieces.append(apply("Equal", [cells, table]))
            }
            if categories.missing { pieces.append(apply("IsNaN", [cells])) }
        }
        sideBySide(pieces)
        let indicators = apply("Cast", [current], [("to", .int(Int64(ElementType.double.onnxDataType)))])
        let matched = apply("ReduceMax", [indicators], [("axes", .ints([1])), ("keepdims", .int(1))])
        return (indicators, matched)
    }

    /// `value`, refused with an error for any row where `matched` is 0 (scikit-learn's unknown-category error):
    /// the flags go through an `OneHotEncoder` that knows only 1 and fails on anything else.
    mutating func refuseUnmatched(_ matched: String, _ value: String) throws(FlavorError) -> String {
        let flags = apply("Cast", [matched], [("to", .int(Int64(ElementType.int64.onnxDataType)))])
        let checked = fresh("known_category")
        nodes.append(
            ModelBlueprint.Node(
                "OneHotEncoder", domain: "ai.onnx.ml", inputs: [flags], outputs: [checked],
                attributes: [("cats_int64s", .ints([1])), ("zeros", .int(0))]))
        let axes = constant(try Self.tensor(Tensor(shape: [1], int64s: [2])), "axes")
        let ones = apply("Squeeze", [checked, axes])
        let factor = apply("Cast", [ones], [("to", .int(Int64(ElementType.double.onnxDataType)))])
        return apply("Mul", [value, factor])
    }

    /// `drop_idx_`: per column, the category dropped, or nil.
    static func dropped(_ value: SklearnModel.Value, name: String, columns: Int) throws(FlavorError) -> [Int?] {
        switch value {
        case .json(.null): return Array(repeating: nil, count: columns)
        case .array(let array) where array.count == columns:
            return array.doubles.map { $0.isNaN ? nil : SklearnModel.FittedTree.index($0) }
        case .list(let items) where items.count == columns:
            return items.map { if case .json(.null) = $0 { nil } else { SklearnModel.integer($0) ?? -1 } }
        default: throw FlavorError("\(name).drop_idx_ does not give one entry per column")
        }
    }

    static func number(_ value: SklearnModel.Value?, _ key: String, name: String) throws(FlavorError) -> Double {
        if case .json(let json)? = value, let number = json.doubleValue { return number }
        if case .json(.null)? = value { return .nan }
        throw FlavorError("\(name).\(key) is not a number")
    }
}

extension SklearnModel {
    /// Whether a `FunctionTransformer` passes its columns through: no function, or scikit-learn's `check_array`.
    static func passesThrough(_ fields: [String: Value]) -> Bool {
        switch fields["func"] {
        case nil, .json(.null)?: return true
        case .object("functools.partial", let partial)?:
            return partial["func"]?.className == "sklearn.utils.validation.check_array"
        case .object("sklearn.utils.validation.check_array", _)?: return true
        default: return false
        }
    }
}
