import KaizenCore
import KaizenTracking
import NIOCore

/// A run's latest metrics, params, tags and outputs as one value, kept in `runs.children` so that a search page
/// reads them with the runs it selects rather than looking each run's rows up in four tables: for a page of 1,000
/// runs those look-ups were about 10 ms of PostgreSQL's time, more than the page query itself.
///
/// The value is written by a search that had to load the run's rows (`recordChildren`), and cleared in the same
/// transaction as any write to those rows by the triggers of migration `tracking-v3`, so a search never reads one
/// that is out of date; a run without one is loaded from its rows, as before.
///
/// Layout, integers big-endian: the format (1, one byte); then four sections, each an `Int32` count and its
/// entries: metrics (key, value's bits as `UInt64`, timestamp, step), params (key, value), tags (key, value),
/// outputs (model id, step). A string is an `Int32` length and its UTF-8 bytes.
enum RunChildrenRecord {
    static let format: UInt8 = 1

    /// `run`'s metrics, params, tags and outputs, in the order it holds them.
    static func encode(_ run: Run) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(format)
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

    /// Fills `run`'s metrics, params, tags and outputs from `bytes`; false, with `run` unchanged, when they are not
    /// a record of this format.
    static func decode(_ bytes: ByteBuffer, into run: inout Run) -> Bool {
        bytes.withUnsafeReadableBytes { raw in
            var reader = BigEndianReader(raw)
            guard let format = reader.bytes(1), format[0] == Self.format else { return false }
            var decoded = Run(info: run.info)
            guard let metricCount = reader.count() else { return false }
            // A metric takes at least 28 bytes: a count read from damaged bytes reserves no more than they could hold.
            decoded.metrics.reserveCapacity(min(metricCount, raw.count / 28))
            for _ in 0..<metricCount {
                guard let key = reader.string(), let bits = reader.int64(), let timestamp = reader.int64(),
                    let step = reader.int64()
                else { return false }
                decoded.metrics.append(
                    Metric(
                        key: key, value: Double(bitPattern: UInt64(bitPattern: bits)), timestamp: timestamp, step: step)
                )
            }
            guard let params = reader.pairs(), let tags = reader.pairs(), let outputCount = reader.count() else {
                return false
            }
            decoded.params = params.map { Param(key: $0.0, value: $0.1) }
            decoded.tags = tags.map { Tag(key: $0.0, value: $0.1) }
            for _ in 0..<outputCount {
                guard let model = reader.string(), let step = reader.int64() else { return false }
                decoded.modelOutputs.append(ModelOutput(modelID: model, step: step))
            }
            guard reader.offset == raw.count else { return false }
            decoded.datasetInputs = run.datasetInputs
            decoded.modelInputs = run.modelInputs
            run = decoded
            return true
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
        pairs.reserveCapacity(min(count, (buffer.count - offset) / 8))
        for _ in 0..<count {
            guard let key = string(), let value = string() else { return nil }
            pairs.append((key, value))
        }
        return pairs
    }
}
