import KaizenCore
import KaizenTracking
import NIOCore

/// A whole run (info, latest metrics, params, tags and outputs; not its inputs) as one value, kept in
/// `runs.search_record` so that a search page reads each run as one column of the rows it selects: looking each
/// run's rows up in five tables cost PostgreSQL about 10 ms for a page of 1,000 runs, more than the page query
/// itself, and reading eleven columns per run cost this server 2.6 µs a run.
///
/// The value is written by a search that had to load the run (`PostgresTrackingStore.loadAndRecordRuns`), and
/// cleared in the same transaction as any write to the run by the triggers of migration `tracking-v3`, so a search
/// never reads one that is out of date; a run without one is loaded from its rows, as before.
///
/// Layout, integers big-endian: the format (1, one byte); the info (run id, experiment id as an `Int64`, name, user
/// id, status, start time, end time as a presence byte and an `Int64`, artifact URI, lifecycle stage); then four
/// sections, each an `Int32` count and its entries: metrics (key, value's bits as `UInt64`, timestamp, step), params
/// (key, value), tags (key, value), outputs (model id, step). A string is an `Int32` length and its UTF-8 bytes.
enum RunRecord {
    static let format: UInt8 = 1

    /// `run`, its arrays in the order it holds them.
    static func encode(_ run: Run) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(format)
        let info = run.info
        write(info.runID, to: &buffer)
        buffer.writeInteger(Int64(info.experimentID) ?? -1)
        write(info.runName, to: &buffer)
        write(info.userID, to: &buffer)
        write(info.status.rawValue, to: &buffer)
        buffer.writeInteger(info.startTime)
        buffer.writeInteger(UInt8(info.endTime == nil ? 0 : 1))
        buffer.writeInteger(info.endTime ?? 0)
        write(info.artifactURI, to: &buffer)
        write(info.lifecycleStage.rawValue, to: &buffer)
        buffer.writeInteger(Int32(run.metrics.count))
        for metric in run.metrics {
            write(metric.key, to: &buffer)
            buffer.writeInteger(metric.value.bitPattern)
            buffer.writeInteger(metric.timestamp)
            buffer.writeInteger(metric.step)
        }
        writePairs(run.params.map { ($0.key, $0.value) }, to: &buffer)
        writePairs(run.tags.map { ($0.key, $0.value) }, to: &buffer)
        buffer.writeInteger(Int32(run.modelOutputs.count))
        for output in run.modelOutputs {
            write(output.modelID, to: &buffer)
            buffer.writeInteger(output.step)
        }
        return buffer
    }

    /// The run `bytes` hold, without inputs; nil when they are not a record of this format.
    static func decode(_ bytes: ByteBuffer) -> Run? {
        bytes.withUnsafeReadableBytes { raw -> Run? in
            var reader = BigEndianReader(raw)
            guard let format = reader.bytes(1), format[0] == Self.format, let id = reader.string(),
                let experiment = reader.int64(), let name = reader.string(), let user = reader.string(),
                let status = reader.string().flatMap(RunStatus.init(rawValue:)), let start = reader.int64(),
                let hasEnd = reader.bytes(1), let end = reader.int64(), let artifactURI = reader.string(),
                let stage = reader.string().flatMap(LifecycleStage.init(rawValue:))
            else { return nil }
            var run = Run(
                info: RunInfo(
                    runID: id, experimentID: String(experiment), runName: name, userID: user, status: status,
                    startTime: start, endTime: hasEnd[0] == 0 ? nil : end, artifactURI: artifactURI,
                    lifecycleStage: stage))
            guard let metricCount = reader.count() else { return nil }
            // A metric takes at least 28 bytes: a count read from damaged bytes reserves no more than they hold.
            run.metrics.reserveCapacity(min(metricCount, raw.count / 28))
            for _ in 0..<metricCount {
                guard let key = reader.string(), let bits = reader.int64(), let timestamp = reader.int64(),
                    let step = reader.int64()
                else { return nil }
                run.metrics.append(
                    Metric(
                        key: key, value: Double(bitPattern: UInt64(bitPattern: bits)), timestamp: timestamp,
                        step: step))
            }
            guard let params = reader.pairs(), let tags = reader.pairs(), let outputCount = reader.count() else {
                return nil
            }
            run.params = params.map { Param(key: $0.0, value: $0.1) }
            run.tags = tags.map { Tag(key: $0.0, value: $0.1) }
            for _ in 0..<outputCount {
                guard let model = reader.string(), let step = reader.int64() else { return nil }
                run.modelOutputs.append(ModelOutput(modelID: model, step: step))
            }
            return reader.offset == raw.count ? run : nil
        }
    }

    private static func write(_ string: String, to buffer: inout ByteBuffer) {
        var string = string
        string.withUTF8 { bytes in
            buffer.writeInteger(Int32(bytes.count))
            buffer.writeBytes(bytes)
        }
    }

    private static func writePairs(_ pairs: [(String, String)], to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int32(pairs.count))
        for (key, value) in pairs {
            write(key, to: &buffer)
            write(value, to: &buffer)
        }
    }
}

extension BigEndianReader {
    /// A count of entries: a non-negative `Int32`.
    fileprivate mutating func count() -> Int? {
        guard let count = int32(), count >= 0 else { return nil }
        return Int(count)
    }

    /// A string: its length as a count, then its UTF-8 bytes.
    fileprivate mutating func string() -> String? {
        guard let length = count(), let bytes = bytes(length) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    fileprivate mutating func pairs() -> [(String, String)]? {
        guard let count = count() else { return nil }
        var pairs: [(String, String)] = []
        // A pair takes at least 8 bytes.
        pairs.reserveCapacity(min(count, (buffer.count - offset) / 8))
        for _ in 0..<count {
            guard let key = string(), let value = string() else { return nil }
            pairs.append((key, value))
        }
        return pairs
    }
}
