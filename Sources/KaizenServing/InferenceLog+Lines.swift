import KaizenCore
import KaizenONNX

extension InferenceLog.Entry {
    /// Appends the entry as JSON lines, one per scored row: the row's inputs under their column names (a tensor's
    /// columns as `<input>_<i>`), the outputs as `output.<name>` (wider outputs as `output.<name>_<i>`, a map per row
    /// as `output.<name>_<key>`), and `kaizen.request_id`, `kaizen.row`, `kaizen.time`, `kaizen.version`. A cell that
    /// is itself a list or an object is written as its JSON text, so every line is flat.
    public func appendLines(to output: inout [UInt8]) {
        var encoder = PredictionEncoder()
        swap(&encoder.output, &output)
        defer { swap(&encoder.output, &output) }
        // What every line of the entry repeats is encoded once: the identity and the column keys.
        encoder.append("{\"kaizen.request_id\": ")
        encoder.string(requestID)
        encoder.append(", \"kaizen.row\": ")
        let head = Array(encoder.output.suffix(from: output.count))
        encoder.output.removeSubrange(output.count...)
        var tail = Array(", \"kaizen.time\": \(time), \"kaizen.version\": ".utf8)
        let version: String?
        switch outcome {
        case .scored(_, let prediction), .inferred(_, let prediction): version = prediction.model.version
        case .refused(_, let refusing): version = refusing
        }
        (version.map(JSONValue.string) ?? .null).write(to: &tail)
        let prediction: Prediction
        let inputs: [any RowColumns]
        switch outcome {
        case .refused(let reason, _):
            // A refusal is one line with no inputs or outputs: its reason, under `kaizen.refused`.
            encoder.output += head
            encoder.append("0")
            encoder.output += tail
            encoder.append(", \"kaizen.refused\": ")
            encoder.string(reason)
            encoder.append("}\n")
            return
        case .scored(let input, let scored):
            prediction = scored
            inputs = [InputColumns(input, model: scored.model)]
        case .inferred(let feeds, let scored):
            prediction = scored
            let names = InputColumns.tensorNames(of: scored.model)
            inputs = feeds.map { name, tensor in
                OutputColumns(input: name, tensor, rows: scored.rows, names: feeds.count == 1 ? names : nil)
            }
        }
        let rows = prediction.rows
        let outputs = prediction.outputs.map { OutputColumns($0.0, $0.1, rows: rows) }
        for row in 0..<rows {
            encoder.output += head
            encoder.output.append(contentsOf: String(row).utf8)
            encoder.output += tail
            for columns in inputs { columns.write(row, into: &encoder) }
            for columns in outputs { columns.write(row, into: &encoder) }
            encoder.append("}\n")
        }
    }
}

/// What writes one row's fields of a log line.
protocol RowColumns {
    func write(_ row: Int, into encoder: inout PredictionEncoder)
}

/// An output's columns for the log, keys encoded once: `output.<name>`, or `output.<name>_<i>` for a wider output,
/// `output.<name>_<key>` for a map per row. An Open Inference Protocol input tensor is written the same way under
/// its own name, its floats as the shortest decimal that reads back as the same float (the digits a client sent).
struct OutputColumns: RowColumns {
    let value: Value
    let keys: [[UInt8]]
    let rows: Int
    var shortFloats = false

    /// An input tensor's columns: its name when it has one value per row, else the model's column names when
    /// `names` is given (a single input), else `<name>_<i>`.
    init(input name: String, _ tensor: Tensor, rows: Int, names: ((Int) -> String)?) {
        value = .tensor(tensor)
        self.rows = rows
        shortFloats = true
        guard tensor.rank >= 1, tensor.shape[0] == rows else {
            keys = []
            return
        }
        let width = tensor.shape.dropFirst().reduce(1, *)
        keys = (0..<width).map { index in
            PredictionEncoder.key(width == 1 ? name : names?(index) ?? "\(name)_\(index)")
        }
    }

    init(_ name: String, _ value: Value, rows: Int) {
        self.value = value
        self.rows = rows
        switch value {
        case .tensor(let tensor):
            guard tensor.rank >= 1, tensor.shape[0] == rows else {
                keys = []
                return
            }
            let width = tensor.shape.dropFirst().reduce(1, *)
            keys = (0..<width).map { PredictionEncoder.key(width == 1 ? "output.\(name)" : "output.\(name)_\($0)") }
        case .mapSequence(let maps):
            switch maps.keys {
            case .int64(let mapKeys): keys = mapKeys.map { PredictionEncoder.key("output.\(name)_\($0)") }
            case .string(let mapKeys): keys = mapKeys.map { PredictionEncoder.key("output.\(name)_\($0)") }
            }
        }
    }

    func write(_ row: Int, into encoder: inout PredictionEncoder) {
        guard !keys.isEmpty else { return }
        switch value {
        case .tensor(let tensor):
            for (column, key) in keys.enumerated() {
                encoder.output += key
                let index = row * keys.count + column
                if shortFloats, case .float(let values) = tensor.storage {
                    encoder.shortFloat(values[index])
                } else {
                    encoder.element(tensor, index)
                }
            }
        case .mapSequence(let maps):
            guard row < maps.count else { return }
            let values = maps.values(ofMap: row)
            for (position, key) in keys.enumerated() {
                encoder.output += key
                encoder.float(values[values.startIndex + position])
            }
        }
    }
}

/// A request's input, read row by row for the log.
struct InputColumns: RowColumns {
    let input: ScoringInput
    /// Column names of a tensor input: the signature's, else `<input>_<i>`.
    let tensorNames: (Int) -> String

    /// Encoded keys of a table's columns (`, "name": `), for the frames and rows of numbers.
    let keys: [[UInt8]]

    init(_ input: ScoringInput, model: ScoringModel) {
        self.input = input
        let tensorNames = Self.tensorNames(of: model)
        self.tensorNames = tensorNames
        switch input {
        case .frame(let frame): keys = frame.names.map(PredictionEncoder.key)
        case .numericFrame(let frame): keys = frame.names.map(PredictionEncoder.key)
        case .numericTensor(let rows): keys = (0..<rows.width).map { PredictionEncoder.key(tensorNames($0)) }
        case .tensor, .named: keys = []
        }
    }

    /// Column names of a model's tensor input: its signature's, else `<input>_<i>`.
    static func tensorNames(of model: ScoringModel) -> (Int) -> String {
        var named: [String] = []
        if case .columns(let specs)? = model.signature { named = specs.compactMap(\.name) }
        let base = model.inputs.first?.name ?? "input"
        return { index in index < named.count ? named[index] : "\(base)_\(index)" }
    }

    func write(_ row: Int, into encoder: inout PredictionEncoder) {
        switch input {
        case .frame(let frame):
            let width = frame.names.count
            for (column, key) in keys.enumerated() {
                encoder.output += key
                encoder.cell(frame.cells[row * width + column])
            }
        case .numericFrame(let frame):
            for (column, key) in keys.enumerated() {
                encoder.output += key
                encoder.number(frame.rows, row: row, column: column)
            }
        case .numericTensor(let rows):
            for (column, key) in keys.enumerated() {
                encoder.output += key
                encoder.number(rows, row: row, column: column)
            }
        case .tensor(let value):
            encoder.tensorRow(value.arrayValue?[safe: row] ?? .null, names: tensorNames)
        case .named(let pairs):
            for (name, value) in pairs {
                let cell = value.arrayValue?[safe: row] ?? .null
                if case .array(let items) = cell {
                    for (index, item) in items.enumerated() { encoder.field("\(name)_\(index)", item) }
                } else {
                    encoder.field(name, cell)
                }
            }
        }
    }
}

extension PredictionEncoder {
    /// `, "name": ` encoded.
    static func key(_ name: String) -> [UInt8] {
        var encoder = PredictionEncoder()
        encoder.key(name)
        return encoder.output
    }

    /// `, "name": value` for a flat cell; a list or an object is written as a string of its JSON.
    mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
        cell(value)
    }

    /// A cell's value; a list or an object is written as a string of its JSON.
    mutating func cell(_ value: JSONValue) {
        switch value {
        case .array, .object: string(String(decoding: value.serialized(), as: UTF8.self))
        default: value.write(to: &output)
        }
    }

    mutating func key(_ name: String) {
        append(", ")
        string(name)
        append(": ")
    }

    /// A cell of rows read as numbers, written as the client wrote it (an integer stays an integer).
    mutating func number(_ rows: NumericRows, row: Int, column: Int) {
        let index = row * rows.width + column
        if rows.integerSyntax[index] {
            output.append(contentsOf: String(Int64(rows.values[index])).utf8)
        } else {
            double(rows.values[index])
        }
    }

    /// One row of a nested-list tensor: a list of cells becomes `<input>_<i>` columns.
    mutating func tensorRow(_ row: JSONValue, names: (Int) -> String) {
        if case .array(let items) = row {
            for (index, item) in items.enumerated() { field(names(index), item) }
        } else {
            field(names(0), row)
        }
    }
}

extension Array {
    /// The element at `index`, or nil past the end.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
