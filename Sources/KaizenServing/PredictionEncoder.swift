import Foundation
import KaizenCore
public import KaizenONNX

/// Writes engine outputs as `mlflow models serve` writes predictions: `{"predictions": ...}` with floats as the
/// shortest decimal of their double value (a float32 0.98 is `0.9800000190734863`, as NumPy prints it), integers
/// as integers, booleans as booleans, and non-finite numbers as Python's `json` writes them (`NaN`, `Infinity`).
public struct PredictionEncoder {
    public var output: [UInt8] = []

    public init() {
        output.reserveCapacity(512)
    }

    /// `{"predictions": ...}` for `outputs` (in the model's output order) laid out in `style`.
    public static func predictions(
        _ outputs: [(String, Value)], rows: Int, style: ScoringModel.OutputStyle
    ) -> [UInt8] {
        var encoder = PredictionEncoder()
        encoder.append("{\"predictions\": ")
        switch style {
        case .columns:
            encoder.append("{")
            for (index, (name, value)) in outputs.enumerated() {
                if index > 0 { encoder.append(", ") }
                encoder.string(name)
                encoder.append(": ")
                encoder.whole(value)
            }
            encoder.append("}")
        case .records:
            encoder.append("[")
            for row in 0..<rows {
                if row > 0 { encoder.append(", ") }
                encoder.record(row, of: outputs, rows: rows)
            }
            encoder.append("]")
        case .array:
            if let (_, value) = outputs.first { encoder.whole(value) } else { encoder.append("[]") }
        }
        encoder.append("}")
        return encoder.output
    }

    /// Row `row` as one record, `{"output": value, ...}` (a JSON line of batch scoring).
    public static func record(_ row: Int, of outputs: [(String, Value)], rows: Int) -> [UInt8] {
        var encoder = PredictionEncoder()
        encoder.record(row, of: outputs, rows: rows)
        return encoder.output
    }

    mutating func record(_ row: Int, of outputs: [(String, Value)], rows: Int) {
        append("{")
        for (index, (name, value)) in outputs.enumerated() {
            if index > 0 { append(", ") }
            string(name)
            append(": ")
            self.row(row, of: value, rows: rows)
        }
        append("}")
    }

    /// Row `row` as a CSV line: every element of every output in its own field (see `BatchScorer.csvHeader`).
    static func csvRow(_ row: Int, of outputs: [(String, Value)], rows: Int) -> [UInt8] {
        var encoder = PredictionEncoder()
        var first = true
        func separate(_ encoder: inout PredictionEncoder) {
            if !first { encoder.output.append(UInt8(ascii: ",")) }
            first = false
        }
        for (_, value) in outputs {
            switch value {
            case .tensor(let tensor):
                guard tensor.rank >= 1, tensor.shape[0] == rows else {
                    separate(&encoder)
                    encoder.csvElement(tensor, 0)
                    continue
                }
                let width = tensor.shape.dropFirst().reduce(1, *)
                for column in 0..<width {
                    separate(&encoder)
                    encoder.csvElement(tensor, row * width + column)
                }
            case .mapSequence(let maps):
                for value in maps.values(ofMap: row) {
                    separate(&encoder)
                    encoder.float(value)
                }
            }
        }
        encoder.output.append(0x0A)
        return encoder.output
    }

    mutating func csvElement(_ tensor: Tensor, _ index: Int) {
        if case .string(let values) = tensor.storage {
            output.append(contentsOf: Self.csvField(values[index]).utf8)
        } else if case .bool(let values) = tensor.storage {
            values[index] ? append("True") : append("False")
        } else {
            element(tensor, index)
        }
    }

    /// A CSV field, quoted when it holds a comma, a quote or a line break.
    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        JSONValue.string(text).write(to: &output)
    }

    /// The whole value as nested lists (a map sequence as a list of objects).
    mutating func whole(_ value: Value) {
        switch value {
        case .tensor(let tensor):
            nested(tensor, dimension: 0, offset: 0)
        case .mapSequence(let maps):
            append("[")
            for index in 0..<maps.count {
                if index > 0 { append(", ") }
                map(index, of: maps)
            }
            append("]")
        }
    }

    /// Row `row` of the value: a scalar when a row holds one element, else the row's nested lists.
    mutating func row(_ row: Int, of value: Value, rows: Int) {
        switch value {
        case .tensor(let tensor):
            guard tensor.rank >= 1, tensor.shape[0] == rows else {
                nested(tensor, dimension: 0, offset: 0)
                return
            }
            let width = tensor.shape.dropFirst().reduce(1, *)
            if width == 1 {
                element(tensor, row)
            } else {
                nested(tensor, dimension: 1, offset: row * width)
            }
        case .mapSequence(let maps):
            if row < maps.count { map(row, of: maps) } else { append("null") }
        }
    }

    mutating func map(_ index: Int, of maps: MapSequence) {
        append("{")
        let values = maps.values(ofMap: index)
        switch maps.keys {
        case .int64(let keys):
            for (position, key) in keys.enumerated() {
                if position > 0 { append(", ") }
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: String(key).utf8)
                append("\": ")
                float(values[values.startIndex + position])
            }
        case .string(let keys):
            for (position, key) in keys.enumerated() {
                if position > 0 { append(", ") }
                string(key)
                append(": ")
                float(values[values.startIndex + position])
            }
        }
        append("}")
    }

    mutating func nested(_ tensor: Tensor, dimension: Int, offset: Int) {
        if dimension == tensor.rank {
            element(tensor, offset)
            return
        }
        let stride = tensor.shape[(dimension + 1)...].reduce(1, *)
        append("[")
        for index in 0..<tensor.shape[dimension] {
            if index > 0 { append(", ") }
            nested(tensor, dimension: dimension + 1, offset: offset + index * stride)
        }
        append("]")
    }

    mutating func element(_ tensor: Tensor, _ index: Int) {
        switch tensor.storage {
        case .float(let values): float(values[index])
        case .double(let values): double(values[index])
        case .int32(let values): output.append(contentsOf: String(values[index]).utf8)
        case .int64(let values): output.append(contentsOf: String(values[index]).utf8)
        case .bool(let values): values[index] ? append("true") : append("false")
        case .string(let values): string(values[index])
        }
    }

    mutating func float(_ value: Float) { double(Double(value)) }

    /// A float as the shortest decimal that reads back as the same float (`5.1`, where `float` writes the double
    /// nearest it, `5.099999904632568`).
    mutating func shortFloat(_ value: Float) {
        guard value.isFinite else { return double(Double(value)) }
        output.append(contentsOf: value.description.utf8)
    }

    mutating func double(_ value: Double) {
        if value.isNaN {
            append("NaN")
        } else if value.isInfinite {
            value > 0 ? append("Infinity") : append("-Infinity")
        } else {
            output.append(contentsOf: value.description.utf8)
        }
    }
}
