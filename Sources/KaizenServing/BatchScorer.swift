import KaizenCore
import KaizenONNX

/// Scores a file of records in a stream: feed it chunks of CSV (with a header) or JSON lines, take back the scored
/// rows in the output format, so a file larger than memory needs only one batch of rows at a time.
public struct BatchScorer {
    public enum Format: String, Sendable, CaseIterable {
        case csv
        case jsonl
    }

    /// Scores each batch: the same call the HTTP routes use.
    public let service: ScoringService
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
    /// The batch being scored while the next one is read (one at a time, so answers keep the input's order).
    var inFlight: Task<Prediction, any Error>?

    public init(model: ScoringModel, input: Format, output: Format, batchSize: Int = 4096) {
        self.service = ScoringService(model: model)
        self.input = input
        self.output = output
        self.batchSize = max(1, batchSize)
    }

    /// Reads `chunk` and returns the output for every full batch it completed.
    public mutating func consume(_ chunk: some Collection<UInt8>) async throws(ServingError) -> [UInt8] {
        var out: [UInt8] = []
        switch input {
        case .csv:
            for row in try csv.append(chunk) { try await take(csvRow: row, into: &out) }
        case .jsonl:
            var start = chunk.startIndex
            var index = chunk.startIndex
            while index != chunk.endIndex {
                if chunk[index] == 0x0A {
                    pendingLine.append(contentsOf: chunk[start..<index])
                    try await take(jsonLine: pendingLine, into: &out)
                    pendingLine.removeAll(keepingCapacity: true)
                    start = chunk.index(after: index)
                }
                index = chunk.index(after: index)
            }
            pendingLine.append(contentsOf: chunk[start..<chunk.endIndex])
            guard pendingLine.count <= 64 << 20 else {
                throw ServingError.badRequest("Line \(lineNumber + 1) is longer than 64 MiB")
            }
        }
        return out
    }

    /// Scores what is left; call once after the last chunk.
    public mutating func finish() async throws(ServingError) -> [UInt8] {
        var out: [UInt8] = []
        switch input {
        case .csv:
            if let last = try csv.finish() { try await take(csvRow: last, into: &out) }
        case .jsonl:
            if !pendingLine.isEmpty { try await take(jsonLine: pendingLine, into: &out) }
            pendingLine = []
        }
        try await flush(into: &out)
        try await collect(into: &out)
        return out
    }

    mutating func take(csvRow row: [JSONValue], into out: inout [UInt8]) async throws(ServingError) {
        lineNumber += 1
        if row.count == 1 && row[0] == .null { return }
        guard let header else {
            self.header = row.map { $0.stringValue ?? $0.jsonText }
            return
        }
        guard row.count == header.count else {
            throw ServingError.badRequest("Line \(lineNumber) has \(row.count) fields; the header has \(header.count)")
        }
        rows.append(row)
        if rows.count >= batchSize { try await flush(into: &out) }
    }

    mutating func take(jsonLine line: [UInt8], into out: inout [UInt8]) async throws(ServingError) {
        lineNumber += 1
        guard line.contains(where: { $0 != 0x20 && $0 != 0x0D && $0 != 0x09 }) else { return }
        let value: JSONValue
        do { value = try JSONValue(parsing: line) } catch {
            throw ServingError.badRequest("Line \(lineNumber) is not valid JSON: \(error)")
        }
        guard let fields = value.objectFields else {
            throw ServingError.badRequest("Line \(lineNumber) is not a JSON object")
        }
        records.append(fields)
        if records.count >= batchSize { try await flush(into: &out) }
    }

    mutating func flush(into out: inout [UInt8]) async throws(ServingError) {
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
        // Score this batch on another thread while the caller reads the next one; write the previous batch's
        // answers first.
        try await collect(into: &out)
        let service = service
        inFlight = Task { () async throws(ServingError) -> Prediction in try await service.predict(.frame(frame)) }
    }

    /// Waits for the batch in flight and writes its answers.
    mutating func collect(into out: inout [UInt8]) async throws(ServingError) {
        guard let task = inFlight else { return }
        inFlight = nil
        let prediction: Prediction
        do { prediction = try await task.value } catch let error as ServingError { throw error } catch {
            throw ServingError.evaluation("\(error)")
        }
        switch output {
        case .jsonl:
            for row in 0..<prediction.rows {
                out.append(contentsOf: prediction.record(row))
                out.append(0x0A)
            }
        case .csv:
            if !wroteHeader {
                out.append(contentsOf: prediction.csvHeader().utf8)
                wroteHeader = true
            }
            for row in 0..<prediction.rows { out.append(contentsOf: prediction.csvRow(row)) }
        }
        rowsScored += prediction.rows
    }
}
