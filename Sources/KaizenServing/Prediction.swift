public import KaizenONNX

/// The answer to an MLflow scoring request: the model that answered and its outputs, in the model's output order,
/// laid out as MLflow lays them out for the request's form.
public struct Prediction: Sendable {
    /// The model (and version) that scored the request.
    public let model: ScoringModel
    /// Rows scored.
    public let rows: Int
    /// Records per row (DataFrame requests) or a dict of full-shape outputs (tensor requests).
    public let style: ScoringModel.OutputStyle
    /// The outputs by name, in the order the model declares them.
    public let outputs: [(String, Value)]

    init(model: ScoringModel, rows: Int, style: ScoringModel.OutputStyle, outputs: [String: Value]) {
        self.model = model
        self.rows = rows
        self.style = style
        self.outputs = model.outputs.compactMap { info in outputs[info.name].map { (info.name, $0) } }
    }

    /// The response body of `/invocations`: `{"predictions": ...}`.
    public func json() -> [UInt8] {
        PredictionEncoder.predictions(outputs, rows: rows, style: style)
    }

    /// Row `row` as one JSON object (a line of a JSON-lines file).
    public func record(_ row: Int) -> [UInt8] {
        PredictionEncoder.record(row, of: outputs, rows: rows)
    }

    /// Row `row` as one CSV line, columns as `csvHeader` names them.
    public func csvRow(_ row: Int) -> [UInt8] {
        PredictionEncoder.csvRow(row, of: outputs, rows: rows)
    }

    /// The CSV header line: an output with one value per row keeps its name; wider outputs get `name_0`, `name_1`,
    /// ...; a map per row (ZipMap) gets `name_<key>`.
    public func csvHeader() -> String {
        var names: [String] = []
        for (name, value) in outputs {
            switch value {
            case .tensor(let tensor):
                let width = tensor.rank >= 1 && tensor.shape[0] == rows ? tensor.shape.dropFirst().reduce(1, *) : 1
                if width == 1 { names.append(name) } else { names += (0..<width).map { "\(name)_\($0)" } }
            case .mapSequence(let maps):
                switch maps.keys {
                case .int64(let keys): names += keys.map { "\(name)_\($0)" }
                case .string(let keys): names += keys.map { "\(name)_\($0)" }
                }
            }
        }
        return names.map(PredictionEncoder.csvField).joined(separator: ",") + "\n"
    }
}
