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
        let rows = prediction.rows
        let inputs = InputColumns(input, model: prediction.model)
        for row in 0..<rows {
            encoder.append("{\"kaizen.request_id\": ")
            encoder.string(requestID)
            encoder.append(", \"kaizen.row\": ")
            encoder.output.append(contentsOf: String(row).utf8)
            encoder.append(", \"kaizen.time\": ")
            encoder.output.append(contentsOf: String(time).utf8)
            encoder.append(", \"kaizen.version\": ")
            if let version = prediction.model.version { encoder.string(version) } else { encoder.append("null") }
            inputs.write(row, into: &encoder)
            for (name, value) in prediction.outputs {
                encoder.outputColumns(name, value, row: row, rows: rows)
            }
            encoder.append("}\n")
        }
    }
}

/// A request's input, read row by row for the log.
struct InputColumns {
    let input: ScoringInput
    /// Column names of a tensor input: the signature's, else `<input>_<i>`.
    let tensorNames: (Int) -> String

    init(_ input: ScoringInput, model: ScoringModel) {
        self.input = input
        var named: [String] = []
        if case .columns(let specs)? = model.signature { named = specs.compactMap(\.name) }
        let base = model.engine.inputs.first?.name ?? "input"
        tensorNames = { index in index < named.count ? named[index] : "\(base)_\(index)" }
    }

    func write(_ row: Int, into encoder: inout PredictionEncoder) {
        switch input {
        case .frame(let frame):
            let width = frame.names.count
            for (column, name) in frame.names.enumerated() {
                encoder.field(name, frame.cells[row * width + column])
            }
        case .numericFrame(let frame):
            for (column, name) in frame.names.enumerated() {
                encoder.number(name, frame.rows, row: row, column: column)
            }
        case .numericTensor(let rows):
            for column in 0..<rows.width { encoder.number(tensorNames(column), rows, row: row, column: column) }
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
    /// `, "name": value` for a flat cell; a list or an object is written as a string of its JSON.
    mutating func field(_ name: String, _ value: JSONValue) {
        key(name)
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
    mutating func number(_ name: String, _ rows: NumericRows, row: Int, column: Int) {
        key(name)
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

    /// Row `row` of an output as `output.<name>` columns.
    mutating func outputColumns(_ name: String, _ value: Value, row: Int, rows: Int) {
        switch value {
        case .tensor(let tensor):
            guard tensor.rank >= 1, tensor.shape[0] == rows else { return }
            let width = tensor.shape.dropFirst().reduce(1, *)
            for column in 0..<width {
                key(width == 1 ? "output.\(name)" : "output.\(name)_\(column)")
                element(tensor, row * width + column)
            }
        case .mapSequence(let maps):
            guard row < maps.count else { return }
            let values = maps.values(ofMap: row)
            switch maps.keys {
            case .int64(let keys):
                for (position, mapKey) in keys.enumerated() {
                    key("output.\(name)_\(mapKey)")
                    float(values[values.startIndex + position])
                }
            case .string(let keys):
                for (position, mapKey) in keys.enumerated() {
                    key("output.\(name)_\(mapKey)")
                    float(values[values.startIndex + position])
                }
            }
        }
    }
}

extension Array {
    /// The element at `index`, or nil past the end.
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
