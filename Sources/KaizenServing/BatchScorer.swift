import KaizenCore
import KaizenONNX

/// Scores a file of records in a stream: feed it chunks of CSV (with a header) or JSON lines, take back the scored
/// rows in the output format, so a file larger than memory needs only one batch of rows at a time.
public struct BatchScorer {
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case jsonl
    }

    public let model: ScoringModel
    public let input: Format
    public let output: Format
    /// Rows per engine call.
    public let batchSize: Int
    /// Rows scored so far.
    public private(set) var rowsScored = 0

    var csv = CSVParser()
    var header: [String]?
    var pendingLine: [UInt8] = []
    var lineNumber = 0
    var rows: [[JSONValue]] = []
    var records: [[(String, JSONValue)]] = []
    var wroteHeader = false

    public init(model: ScoringModel, input: Format, output: Format, batchSize: Int = 4096) {
        self.model = model
        self.input = input
        self.output = output
        self.batchSize = max(1, batchSize)
    }

    /// Reads `chunk` and returns the output for every full batch it completed.
    public mutating func consume(_ chunk: some Collection<UInt8>) throws(ScoringError) -> [UInt8] {
        var out: [UInt8] = []
        switch input {
        case .csv:
            for row in try csv.append(chunk) { try take(csvRow: row, into: &out) }
        case .jsonl:
            var start = chunk.startIndex
            var index = chunk.startIndex
            while index != chunk.endIndex {
                if chunk[index] == 0x0A {
                    pendingLine.append(contentsOf: chunk[start..<index])
                    try take(jsonLine: pendingLine, into: &out)
                    pendingLine.removeAll(keepingCapacity: true)
                    start = chunk.index(after: index)
                }
                index = chunk.index(after: index)
            }
            pendingLine.append(contentsOf: chunk[start..<chunk.endIndex])
            guard pendingLine.count <= 64 << 20 else {
                throw ScoringError.badRequest("Line \(lineNumber + 1) is longer than 64 MiB")
            }
        }
        return out
    }

    /// Scores what is left; call once after the last chunk.
    public mutating func finish() throws(ScoringError) -> [UInt8] {
        var out: [UInt8] = []
        switch input {
        case .csv:
            if let last = try csv.finish() { try take(csvRow: last, into: &out) }
        case .jsonl:
            if !pendingLine.isEmpty { try take(jsonLine: pendingLine, into: &out) }
            pendingLine = []
        }
        try flush(into: &out)
        return out
    }

    mutating func take(csvRow row: [JSONValue], into out: inout [UInt8]) throws(ScoringError) {
        lineNumber += 1
        if row.count == 1 && row[0] == .null { return }
        guard let header else {
            self.header = row.map { $0.stringValue ?? $0.jsonText }
            return
        }
        guard row.count == header.count else {
            throw ScoringError.badRequest("Line \(lineNumber) has \(row.count) fields; the header has \(header.count)")
        }
        rows.append(row)
        if rows.count >= batchSize { try flush(into: &out) }
    }

    mutating func take(jsonLine line: [UInt8], into out: inout [UInt8]) throws(ScoringError) {
        lineNumber += 1
        guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { return }
        let value: JSONValue
        do { value = try JSONValue(parsing: line) } catch {
            throw ScoringError.badRequest("Line \(lineNumber) is not valid JSON: \(error)")
        }
        guard let fields = value.objectFields else {
            throw ScoringError.badRequest("Line \(lineNumber) is not a JSON object")
        }
        records.append(fields)
        if records.count >= batchSize { try flush(into: &out) }
    }

    mutating func flush(into out: inout [UInt8]) throws(ScoringError) {
        let frame: DataFrame
        if input == .csv {
            guard !rows.isEmpty, let header else { return }
            frame = try DataFrame(names: header, rows: rows.map { .array($0) })
            rows.removeAll(keepingCapacity: true)
        } else {
            guard !records.isEmpty else { return }
            frame = DataFrame(records: records)
            records.removeAll(keepingCapacity: true)
        }
        let prepared = try model.prepare(.frame(frame))
        let outputs = try model.run(prepared.feeds)
        let ordered = model.engine.outputs.compactMap { info in outputs[info.name].map { (info.name, $0) } }
        switch output {
        case .jsonl:
            for row in 0..<frame.rowCount {
                out.append(contentsOf: PredictionEncoder.record(row, of: ordered, rows: frame.rowCount))
                out.append(0x0A)
            }
        case .csv:
            if !wroteHeader {
                out.append(contentsOf: Self.csvHeader(ordered, rows: frame.rowCount).utf8)
                wroteHeader = true
            }
            for row in 0..<frame.rowCount {
                out.append(contentsOf: PredictionEncoder.csvRow(row, of: ordered, rows: frame.rowCount))
            }
        }
        rowsScored += frame.rowCount
    }

    /// Column names: an output with one value per row keeps its name; wider outputs get `name_0`, `name_1`, ...;
    /// a map per row (ZipMap) gets `name_<key>`.
    static func csvHeader(_ outputs: [(String, Value)], rows: Int) -> String {
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
