import Foundation
public import KaizenCore
public import KaizenONNX
import KaizenTokenizers

/// A loaded model with what serving needs around the engine: its name and version, its input signature, and the
/// conversion of MLflow scoring payloads to engine feeds and of engine outputs to MLflow's prediction JSON.
public final class ScoringModel: Sendable {
    /// The registered model name (or the file or folder name of a local model).
    public let name: String
    /// The registered version, when the model came from the registry.
    public let version: String?
    public let engine: ONNXModel
    /// The signature from `MLmodel`; `nil` when there is none (the graph's inputs then decide).
    public let signature: ModelSignature?
    /// The layout every answer takes whatever the request's form, for native flavors whose MLflow pyfunc returns one
    /// array (`{"predictions": [...]}`); nil to follow the request's form, as ONNX models do.
    public let fixedStyle: OutputStyle?
    /// For a transformer served text in: the tokenizer around the engine and the meaning of its output.
    let text: TextModel?
    /// The signature's inference parameters, for callers (scoring does not use them).
    public let params: [ParamSpec]
    /// The request MLflow saved with the model (`serving_input_example.json`), for callers to start from.
    public let servingExample: JSONValue?

    /// What requests carry: the engine's inputs, or a text model's text columns.
    public var inputs: [ValueInfo] { text?.inputs ?? engine.inputs }
    /// What answers carry: the engine's outputs, or a text model's labels, scores and probabilities (or embeddings).
    public var outputs: [ValueInfo] { text?.outputs ?? engine.outputs }

    /// How predictions are laid out, following what MLflow does for the request's form.
    public enum OutputStyle: Sendable {
        /// One record per row (DataFrame requests).
        case records
        /// Output name to full-shape lists (tensor requests).
        case columns
        /// The first output as one list (what a NumPy array of predictions becomes).
        case array
    }

    /// A request's feeds, ready for the engine.
    public struct Prepared: Sendable {
        public var feeds: [String: Tensor]
        public var rows: Int
        public var style: OutputStyle
    }

    public convenience init(
        engine: ONNXModel, signature: ModelSignature?, name: String, version: String?, fixedStyle: OutputStyle? = nil,
        params: [ParamSpec] = [], servingExample: JSONValue? = nil
    ) {
        self.init(
            engine: engine, signature: signature, name: name, version: version, fixedStyle: fixedStyle, text: nil,
            params: params, servingExample: servingExample)
    }

    init(
        engine: ONNXModel, signature: ModelSignature?, name: String, version: String?, fixedStyle: OutputStyle?,
        text: TextModel?, params: [ParamSpec] = [], servingExample: JSONValue? = nil
    ) {
        self.engine = engine
        self.signature = signature
        self.name = name
        self.version = version
        self.fixedStyle = fixedStyle
        self.text = text
        self.params = params
        self.servingExample = servingExample
    }

    /// Loads the package's model file: an ONNX file, or a native flavor's file described as a graph for the engine.
    public convenience init(package: ModelPackage, name: String, version: String?) throws(ServingError) {
        switch package.flavor {
        case .onnx:
            let engine: ONNXModel
            do { engine = try ONNXModel(contentsOf: package.modelFile) } catch {
                throw ServingError.invalidModel("Cannot load \(package.modelFile.lastPathComponent): \(error.message)")
            }
            guard let (settings, tokenizerFile) = package.text else {
                self.init(
                    engine: engine, signature: package.signature, name: name, version: version, params: package.params,
                    servingExample: package.servingExample)
                return
            }
            let text = try TextModel(settings: settings, tokenizer: try Self.tokenizer(tokenizerFile), engine: engine)
            // The text columns are the signature, whatever the package's MLmodel declares.
            var columns = [ColumnSpec(name: settings.textColumn, type: .string)]
            if let pair = settings.pairColumn { columns.append(ColumnSpec(name: pair, type: .string)) }
            self.init(
                engine: engine, signature: .columns(columns), name: name, version: version, fixedStyle: nil, text: text,
                params: package.params, servingExample: package.servingExample)
        case .xgboost(let format, let modelClass):
            let loaded = try NativeFlavors.xgboost(package.modelFile, format: format, modelClass: modelClass)
            self.init(
                engine: loaded.engine, signature: package.signature ?? loaded.signature, name: name, version: version,
                fixedStyle: .array, params: package.params, servingExample: package.servingExample)
        case .sklearn(let predictFunction):
            let loaded = try NativeFlavors.sklearn(package.modelFile, predictFunction: predictFunction)
            self.init(
                engine: loaded.engine, signature: package.signature ?? loaded.signature, name: name, version: version,
                fixedStyle: .array, params: package.params, servingExample: package.servingExample)
        case .lightgbm:
            let loaded = try NativeFlavors.lightgbm(package.modelFile)
            self.init(
                engine: loaded.engine, signature: package.signature ?? loaded.signature, name: name, version: version,
                fixedStyle: .array, params: package.params, servingExample: package.servingExample)
        }
    }

    /// Scores prepared feeds on the calling thread.
    public func run(_ feeds: [String: Tensor]) throws(ServingError) -> [String: Value] {
        if let text { return try text.run(feeds, engine: engine) }
        do { return try engine.run(feeds) } catch { throw ServingError.evaluation(error.message) }
    }

    /// The largest tokenizer file read (a large multilingual vocabulary is about 20 MB).
    static let maximumTokenizerBytes = 256 << 20

    static func tokenizer(_ file: URL) throws(ServingError) -> Tokenizer {
        let bytes = try NativeFlavors.read(file, limit: maximumTokenizerBytes)
        do { return try Tokenizer(parsing: bytes) } catch {
            throw ServingError.invalidModel("Cannot load the tokenizer \(file.lastPathComponent): \(error.message)")
        }
    }

    // MARK: Requests to feeds

    /// Turns a request's data into engine feeds, checking it against the signature.
    public func prepare(_ input: ScoringInput) throws(ServingError) -> Prepared {
        var prepared = try prepareInput(input)
        if let fixedStyle { prepared.style = fixedStyle }
        return prepared
    }

    func prepareInput(_ input: ScoringInput) throws(ServingError) -> Prepared {
        switch input {
        case .frame(let frame):
            // Under a tensor signature MLflow hands the model a dict of arrays, so the answer is a dict of columns.
            let style: OutputStyle = if case .tensors = signature { .columns } else { .records }
            return Prepared(feeds: try feeds(from: frame), rows: frame.rowCount, style: style)
        case .numericFrame(let frame):
            let style: OutputStyle = if case .tensors = signature { .columns } else { .records }
            return Prepared(feeds: try feeds(from: frame), rows: frame.rowCount, style: style)
        case .numericTensor(let rows):
            if let tensor = try floatMatrix(rows) {
                return Prepared(feeds: tensor, rows: rows.rowCount, style: .columns)
            }
            return try prepareInput(.tensor(rows.nestedList))
        case .tensor(let value):
            if inputs.count > 1, case .columns(let specs) = signature, case .array(let rows) = value,
                rows.allSatisfy({ $0.arrayValue?.count == specs.count })
            {
                // Rows under a column signature, as MLflow reads them: each row's cells are the columns in order.
                let frame = try DataFrame(
                    names: specs.enumerated().map { $1.name ?? String($0) }, rows: rows)
                return Prepared(feeds: try feeds(from: frame), rows: frame.rowCount, style: .records)
            }
            guard inputs.count == 1, let input = inputs.first else {
                throw ServingError.badRequest(
                    "This model has \(inputs.count) inputs (\(inputs.map(\.name).joined(separator: ", "))); "
                        + "send them by name, e.g. {\"inputs\": {\"\(inputs.first?.name ?? "x")\": [...]}}")
            }
            let tensor = try tensor(from: value, for: input)
            return Prepared(feeds: [input.name: tensor], rows: tensor.shape.first ?? 1, style: .columns)
        case .named(let fields):
            let inputNames = Set(inputs.map(\.name))
            let namesInputs = fields.contains { inputNames.contains($0.0) }
            if case .columns = signature,
                !(namesInputs && fields.allSatisfy { $0.1.arrayValue?.first?.arrayValue != nil })
            {
                let frame = try frame(fromColumns: fields)
                return Prepared(feeds: try feeds(from: frame), rows: frame.rowCount, style: .records)
            }
            var feeds: [String: Tensor] = [:]
            var missing: [String] = []
            for input in inputs {
                guard let value = fields.last(where: { $0.0 == input.name })?.1 else {
                    missing.append(input.name)
                    continue
                }
                feeds[input.name] = try tensor(from: value, for: input)
            }
            guard missing.isEmpty else {
                throw ServingError.missingInputs(
                    missing, of: "the model's inputs", detail: " Received: \(Self.quotedList(fields.map(\.0)))")
            }
            let rows = feeds.values.first?.shape.first ?? 1
            return Prepared(feeds: feeds, rows: rows, style: .columns)
        }
    }

    func frame(fromColumns fields: [(String, JSONValue)]) throws(ServingError) -> DataFrame {
        let columns = fields.map { $0.1.arrayValue ?? [$0.1] }
        let rowCount = columns.first?.count ?? 0
        for (name, cells) in zip(fields.map(\.0), columns) where cells.count != rowCount {
            throw ServingError.badRequest(
                "Invalid input. All columns must have the same length; column \(name) has \(cells.count) values, "
                    + "the first had \(rowCount)")
        }
        var cells: [JSONValue] = []
        cells.reserveCapacity(rowCount * columns.count)
        for row in 0..<rowCount {
            for column in columns { cells.append(column[row]) }
        }
        return DataFrame(names: fields.map(\.0), cells: cells, rowCount: rowCount)
    }

    /// A column the model takes: where it is in the frame (`nil`: an optional column the request left out).
    struct SelectedColumn {
        var name: String
        var index: Int?
        var declared: ColumnSpec.ColumnType?
    }

    /// Feeds from a table: columns matched by name under a column signature (order free, extras ignored),
    /// otherwise by position; all columns form one matrix for a single-input model, one column per input otherwise.
    func feeds(from frame: DataFrame) throws(ServingError) -> [String: Tensor] {
        let selected = try select(frame.names)
        if let input = matrixInput(for: selected) {
            return [input.name: try matrix(from: selected, of: frame, for: input)]
        }
        var feeds: [String: Tensor] = [:]
        var missing: [String] = []
        for input in inputs {
            guard let column = selected.first(where: { $0.name == input.name }) else {
                missing.append(input.name)
                continue
            }
            let shape = inputRank(input) == 1 ? [frame.rowCount] : [frame.rowCount, 1]
            feeds[input.name] = try CellConversion.tensor(
                cells(of: column, in: frame), shape: shape, type: try elementType(of: input), column: column.name,
                declared: column.declared)
        }
        guard missing.isEmpty else {
            throw ServingError.missingInputs(missing, of: "the model's inputs")
        }
        return feeds
    }

    /// Feeds from a table of numbers: straight from its buffer into a float32 matrix when the model takes one,
    /// otherwise through the `DataFrame` it stands for.
    func feeds(from frame: NumericFrame) throws(ServingError) -> [String: Tensor] {
        let selected = try select(frame.names)
        guard let input = matrixInput(for: selected), case let type = try elementType(of: input),
            type == .float || type == .double
        else {
            return try feeds(from: frame.dataFrame)
        }
        try checkWidth(of: input, against: selected)
        let rows = frame.rowCount
        let width = frame.names.count
        var values = [Double](repeating: 0, count: rows * selected.count)
        for (position, column) in selected.enumerated() {
            let integral = column.declared == .long || column.declared == .integer
            guard let index = column.index else {
                let missing = try CellConversion.number(.null, integral: integral, column: column.name, type: "float32")
                for row in 0..<rows { values[row * selected.count + position] = missing }
                continue
            }
            for row in 0..<rows {
                let value = frame.rows.values[row * width + index]
                if integral, value.rounded() != value {
                    // The full path's error for a fraction under an integer declaration.
                    _ = try CellConversion.number(.double(value), integral: true, column: column.name, type: "float32")
                }
                values[row * selected.count + position] = value
            }
        }
        let shape = inputRank(input) == 1 && selected.count == 1 ? [rows] : [rows, selected.count]
        do {
            let tensor =
                type == .double
                ? try Tensor(shape: shape, doubles: values) : try Tensor(shape: shape, floats: values.map { Float($0) })
            return [input.name: tensor]
        } catch {
            throw ServingError.badRequest("Invalid input: \(error.message)")
        }
    }

    /// A list of lists of numbers straight into the float32 or float64 matrix of a single-input model, when it takes
    /// one of that shape under its signature; nil when the full path must decide.
    func floatMatrix(_ rows: NumericRows) throws(ServingError) -> [String: Tensor]? {
        guard inputs.count == 1, let input = inputs.first, case .tensor(let type, let shape) = input.type,
            type == .float || type == .double, shape?.count ?? 2 == 2
        else { return nil }
        if case .tensors = signature, case .tensor(_, let declared?) = input.type {
            guard declared.count == 2, declared[0].size ?? rows.rowCount == rows.rowCount,
                declared[1].size ?? rows.width == rows.width
            else { return nil }
        }
        do {
            let shape = [rows.rowCount, rows.width]
            return [
                input.name: type == .double
                    ? try Tensor(shape: shape, doubles: rows.values)
                    : try Tensor(shape: shape, floats: rows.values.map { Float($0) })
            ]
        } catch {
            throw ServingError.badRequest("Invalid input: \(error.message)")
        }
    }

    /// The single input that takes all the columns as one matrix, when the model has one input and the columns are
    /// not just that input by name as a vector.
    func matrixInput(for selected: [SelectedColumn]) -> ValueInfo? {
        guard inputs.count == 1, let input = inputs.first,
            selected.count != 1 || selected[0].name != input.name || inputRank(input) != 1
        else { return nil }
        return input
    }

    /// The columns to feed, matched by name under a column signature (order free, extras ignored), otherwise all in
    /// the request's order; a required signature column the request lacks is an error.
    func select(_ names: [String]) throws(ServingError) -> [SelectedColumn] {
        var selected: [SelectedColumn] = []
        if case .columns(let specs) = signature {
            var positions: [String: Int] = [:]
            for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
            var missing: [String] = []
            for (position, spec) in specs.enumerated() {
                let name = spec.name ?? String(position)
                if let index = positions[name] {
                    selected.append(SelectedColumn(name: name, index: index, declared: spec.type))
                } else if spec.required {
                    missing.append(name)
                } else {
                    selected.append(SelectedColumn(name: name, index: nil, declared: spec.type))
                }
            }
            guard missing.isEmpty else {
                let extra = names.filter { name in !specs.contains { $0.name == name } }
                throw ServingError.missingInputs(
                    missing, of: "the model's signature",
                    detail: extra.isEmpty ? "" : " Note that there were extra inputs: \(Self.quotedList(extra)).")
            }
        } else {
            selected = names.enumerated().map { SelectedColumn(name: $1, index: $0, declared: nil) }
        }
        return selected
    }

    func cells(of column: SelectedColumn, in frame: DataFrame) -> [JSONValue] {
        guard let index = column.index else { return Array(repeating: .null, count: frame.rowCount) }
        return Array(frame.column(at: index))
    }

    /// A matrix input declared with a fixed number of columns must get that many.
    func checkWidth(of input: ValueInfo, against columns: [SelectedColumn]) throws(ServingError) {
        if case .tensor(_, let shape?) = input.type, shape.count == 2, let width = shape[1].size, width != columns.count
        {
            throw ServingError.schema(
                "Failed to enforce schema of data with the model's inputs. Error: input '\(input.name)' takes \(width) "
                    + "columns, the request has \(columns.count) (\(columns.prefix(8).map(\.name).joined(separator: ", "))"
                    + "\(columns.count > 8 ? ", ..." : ""))")
        }
    }

    func matrix(
        from columns: [SelectedColumn], of frame: DataFrame, for input: ValueInfo
    ) throws(ServingError) -> Tensor {
        try checkWidth(of: input, against: columns)
        let type = try elementType(of: input)
        let rows = frame.rowCount
        let shape = inputRank(input) == 1 && columns.count == 1 ? [rows] : [rows, columns.count]
        if type == .float {
            // The common case, in one pass over the rows: float32 features.
            let width = frame.names.count
            var values = [Float]()
            values.reserveCapacity(rows * columns.count)
            for row in 0..<rows {
                for column in columns {
                    let cell = column.index.map { frame.cells[row * width + $0] } ?? .null
                    if case .double(let value) = cell, column.declared != .long, column.declared != .integer {
                        values.append(Float(value))
                    } else {
                        values.append(
                            Float(
                                try CellConversion.number(
                                    cell, integral: column.declared == .long || column.declared == .integer,
                                    column: column.name, type: "float32")))
                    }
                }
            }
            do { return try Tensor(shape: shape, floats: values) } catch {
                throw ServingError.badRequest("Invalid input: \(error.message)")
            }
        }
        var converted: [Tensor] = []
        converted.reserveCapacity(columns.count)
        for column in columns {
            converted.append(
                try CellConversion.tensor(
                    cells(of: column, in: frame), shape: [rows], type: type, column: column.name,
                    declared: column.declared))
        }
        guard let matrix = Tensor.interleaving(columns: converted, shape: shape) else {
            throw ServingError.badRequest("Invalid input: the columns of '\(input.name)' do not form a \(shape) matrix")
        }
        return matrix
    }

    func tensor(from value: JSONValue, for input: ValueInfo) throws(ServingError) -> Tensor {
        let list = try NestedList(value, name: input.name)
        if case .tensors = signature, case .tensor(_, let declared?) = input.type {
            // A tensor signature is enforced before the model runs, as MLflow does: a schema error, not a model error.
            let fits =
                declared.count == list.shape.count
                && zip(declared, list.shape).allSatisfy { dimension, size in dimension.size.map { $0 == size } ?? true }
            guard fits else {
                let expected = declared.map { $0.size.map(String.init) ?? "-1" }.joined(separator: ", ")
                throw ServingError.schema(
                    "Failed to enforce schema of data with the model's signature. Error: Shape of input "
                        + "(\(list.shape.map(String.init).joined(separator: ", "))) does not match expected shape "
                        + "(\(expected)) for input '\(input.name)'")
            }
        }
        return try CellConversion.tensor(
            list.leaves, shape: list.shape, type: try elementType(of: input), column: input.name,
            declared: text == nil ? nil : .string)
    }

    func elementType(of input: ValueInfo) throws(ServingError) -> ElementType {
        guard case .tensor(let type, _) = input.type else {
            throw ServingError.badRequest("Input \(input.name) is a \(input.type), which requests cannot carry")
        }
        return type
    }

    func inputRank(_ input: ValueInfo) -> Int? {
        if case .tensor(_, let shape?) = input.type { shape.count } else { nil }
    }

    /// Names as Python prints a list of strings: `['a', 'b']`.
    static func quotedList(_ names: [String]) -> String {
        "[" + names.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }
}
