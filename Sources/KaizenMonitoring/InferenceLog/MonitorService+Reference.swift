import KaizenArtifacts
import KaizenCore

extension MonitorService {
    /// The largest reference file taken.
    public static let maximumReferenceBytes = 1 << 30

    /// The data formats a reference can come in.
    public enum DataFormat: String, Sendable {
        case csv
        case jsonLines = "jsonl"

        /// The format a file name implies: JSON lines for `.jsonl`/`.ndjson`, CSV otherwise.
        public init(fileName: String) {
            let lowered = fileName.lowercased()
            self = lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") ? .jsonLines : .csv
        }
    }

    /// Where an endpoint's reference profile lives in the artifact store.
    static func referencePath(_ endpoint: String) throws(KaizenError) -> ArtifactPath {
        try ArtifactPath(validating: "monitoring/\(endpoint)/reference/profile.json.gz")
    }

    /// The most bytes a stored profile may decompress to.
    static let maximumProfileBytes = 4 << 30

    /// Makes `data` the endpoint's reference: it is read and profiled once (so a file that cannot be compared is
    /// refused and nothing is kept), and the profile (every column's distinct values and counts, gzip'd JSON) is
    /// stored, replacing the previous one; every report reuses it. Returns the profile's rows and columns.
    public func setReference(
        endpoint: String, data: [UInt8], format: DataFormat, source: String
    ) async throws -> (rows: Int, columns: [String]) {
        try ResourceName.validate(endpoint, field: "endpoint")
        guard data.count <= Self.maximumReferenceBytes else {
            throw KaizenError.invalidParameter("A reference is at most \(Self.maximumReferenceBytes >> 20) MB")
        }
        let profile = DatasetProfile(try Self.table(data, format: format, source: source))
        guard profile.rows > 0 else { throw KaizenError.invalidParameter("The reference \(source) has no rows") }
        try await keepReference(profile, endpoint: endpoint)
        return (profile.rows, profile.columns.map(\.name))
    }

    /// Makes the traffic `source` logged in `[from, to)` the endpoint's reference: its inputs and outputs, as
    /// `setReference(endpoint:data:format:source:)` keeps a file's. When the window's rows have feedback and the log
    /// has a probability per class, the labelled rows also become the reference for estimated accuracy; `labelled`
    /// is how many (0 when they did not).
    public func setReference(
        endpoint: String, fromLogOf source: String, from: Int64, to: Int64
    ) async throws -> (rows: Int, columns: [String], labelled: Int) {
        try ResourceName.validate(endpoint, field: "endpoint")
        try ResourceName.validate(source, field: "endpoint")
        guard to > from else { throw KaizenError.invalidParameter("The window's end must be after its start") }
        guard let table = try await logTable(endpoint: source, from: from, to: to).table,
            let times = table["kaizen.time"]
        else {
            throw KaizenError.invalidParameter("\(source) logged no traffic between \(from) and \(to)")
        }
        let rows = (0..<table.rowCount).filter { row in
            times.number(at: row).map { $0 >= Double(from) && $0 < Double(to) } ?? false
        }
        guard !rows.isEmpty else {
            throw KaizenError.invalidParameter("\(source) logged no traffic between \(from) and \(to)")
        }
        let profile = DatasetProfile(table.selecting(rows: rows) { !$0.hasPrefix("kaizen.") })
        try await keepReference(profile, endpoint: endpoint)
        let labels = try await feedbackLabels(endpoint: source, table: table, rows: rows)
        let labelled = try await keepPerformanceReference(endpoint: endpoint, table: table, rows: rows, labels: labels)
        return (profile.rows, profile.columns.map(\.name), labelled)
    }

    /// Stores `profile` as the endpoint's reference, gzip'd.
    func keepReference(_ profile: DatasetProfile, endpoint: String) async throws {
        try await writeCompressed(profile.serialized(), to: try Self.referencePath(endpoint))
    }

    /// The endpoint's stored reference profile, nil when it has none.
    public func reference(endpoint: String) async throws -> DatasetProfile? {
        try ResourceName.validate(endpoint, field: "endpoint")
        guard
            let text = try await readCompressed(
                try Self.referencePath(endpoint), source: "The reference profile of \(endpoint)")
        else { return nil }
        return try DatasetProfile(serialized: text, maximumSize: Self.maximumProfileBytes)
    }

    /// Stores `bytes` gzip'd at `path` in the artifact store, replacing what was there.
    func writeCompressed(_ bytes: [UInt8], to path: ArtifactPath) async throws {
        let compressor = try GzipCompressor(level: 1)
        var compressed: [UInt8] = []
        compressor.compress(bytes, appendingTo: &compressed)
        compressor.finish(appendingTo: &compressed)
        _ = try await artifacts.write(
            path,
            from: AsyncStream { continuation in
                continuation.yield(compressed)
                continuation.finish()
            })
    }

    /// The bytes stored gzip'd at `path` (at most `maximumProfileBytes` once decompressed), nil when nothing is.
    func readCompressed(_ path: ArtifactPath, source: String) async throws -> [UInt8]? {
        let content: ArtifactContent
        do { content = try await artifacts.read(path) } catch let error as KaizenError
            where error.code == .resourceDoesNotExist
        {
            return nil
        }
        var compressed: [UInt8] = []
        for try await chunk in content { compressed += chunk }
        return try GzipDecompressor.decompress(compressed, limit: Self.maximumProfileBytes, source: source)
    }

    /// A data file's bytes read as a table.
    static func table(_ data: [UInt8], format: DataFormat, source: String) throws(KaizenError) -> DataTable {
        let result = data.withUnsafeBufferPointer { bytes in
            Result { () throws(KaizenError) -> DataTable in
                switch format {
                case .csv: try CSVTableReader.read(bytes, source: source)
                case .jsonLines: try JSONLinesTableReader.read(bytes, source: source)
                }
            }
        }
        return try result.get()
    }

    /// Keeps feedback sent for `endpoint`'s requests; returns how many labels were kept. Feedback for a request the
    /// log does not hold (yet) is kept too: it joins when the request's segment arrives.
    public func addFeedback(_ items: [Feedback], endpoint: String) async throws -> Int {
        try ResourceName.validate(endpoint, field: "endpoint")
        try await store.addFeedback(items, endpoint: endpoint)
        return items.count
    }
}
