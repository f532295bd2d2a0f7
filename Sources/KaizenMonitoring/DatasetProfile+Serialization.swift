public import KaizenCore

/// A profile stored as a document, so that a reference is profiled once and every later comparison reuses it.
///
/// The document is compact JSON that a person can read and `jq` can query:
///
/// ```json
/// {"format":"kaizen-dataset-profile","version":1,"rows":3,"columns":[
/// {"name":"age","storage":"float64","kind":"numerical","rows":3,"missing":0,"infinite":0,
///  "numbers":{"values":[31,40.5],"counts":[2,1]}},
/// {"name":"city","storage":"object","kind":"categorical","rows":3,"missing":1,"infinite":0,
///  "categories":[["Lyon",1],["Oslo",1]]}]}
/// ```
///
/// (one line per column; the wrapping inside a column is only for this comment). A numeric sample is its distinct
/// values, ascending, and how often each occurs; a categorical sample is `[key, count]` pairs, where a JSON string
/// is a text label and a JSON number is a numeric category. Numbers are written in their shortest form that reads
/// back to the same bits (whole numbers without a decimal point, `-0.0` with its sign), so a decoded profile gives
/// the same drift report as the one it was made from.
extension DatasetProfile {
    /// The value of the document's `format` field.
    public static let serializationFormat = "kaizen-dataset-profile"
    /// The document version this build writes and reads.
    public static let serializationVersion = 1
    /// The largest document `init(serialized:maximumSize:)` reads unless told otherwise: 1 GiB.
    public static let defaultMaximumSerializedSize = 1 << 30

    /// The profile as a versioned JSON document (see the extension's description for the format).
    ///
    /// Categories are written in ascending order of key, so the same profile always gives the same bytes.
    /// A profile made by `init(_:)` holds no NaN or infinity in its samples; one built by hand that does is
    /// written with JSON's non-standard `NaN`/`Infinity` words and is refused by `init(serialized:)`.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(columns.reduce(128) { $0 + ProfileWriter.estimatedSize($1) })
        output.append(contentsOf: #"{"format":""#.utf8)
        output.append(contentsOf: Self.serializationFormat.utf8)
        output.append(contentsOf: #"","version":"#.utf8)
        ProfileWriter.write(Self.serializationVersion, to: &output)
        output.append(contentsOf: #","rows":"#.utf8)
        ProfileWriter.write(rows, to: &output)
        output.append(contentsOf: #","columns":["#.utf8)
        for (index, column) in columns.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            // A line per column keeps the document readable with `head` and `grep` at almost no cost.
            output.append(UInt8(ascii: "\n"))
            ProfileWriter.write(column, to: &output)
        }
        output.append(contentsOf: "]}".utf8)
        return output
    }

    /// Reads a profile that `serialized()` wrote.
    ///
    /// The bytes are treated as hostile: a document larger than `maximumSize` bytes, malformed or truncated JSON, a
    /// field of the wrong type, a missing or unknown field, an unknown format or version, a non-finite number, values
    /// not strictly ascending, a count below 1, counts that do not add up to `rows - missing - infinite`, a column whose
    /// `rows` differ from the data set's, or a
    /// column name that repeats is refused with an `INVALID_PARAMETER_VALUE` error naming the column and field.
    public init(
        serialized bytes: some Collection<UInt8>, maximumSize: Int = DatasetProfile.defaultMaximumSerializedSize
    ) throws(KaizenError) {
        let size = bytes.count
        guard size <= maximumSize else {
            throw .invalidParameter(
                "Invalid dataset profile: the document is \(size) bytes, more than the limit of \(maximumSize)")
        }
        // One contiguous copy here, where the collection's type is known, rather than element by element inside the
        // reader's generic code.
        let contiguous = Array(bytes)
        self = try ProfileDecoder.reading(contiguous) { decoder throws(KaizenError) in try decoder.profile() }
    }

    /// A profile of the given columns, trusted to be consistent.
    init(columns: [ColumnProfile], rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}

extension ColumnProfile {
    /// A column profile from its parts, trusted to be consistent.
    init(
        name: String, storage: DataColumn.StorageKind, kind: ColumnKind, rows: Int, missing: Int, infinite: Int,
        sample: ColumnSample
    ) {
        self.name = name
        self.storage = storage
        self.kind = kind
        self.rows = rows
        self.missing = missing
        self.infinite = infinite
        self.sample = sample
    }
}

/// Writes the parts of a profile document straight into bytes, with no `JSONValue` tree in between.
enum ProfileWriter {
    static func write(_ column: ColumnProfile, to output: inout [UInt8]) {
        output.append(contentsOf: #"{"name":"#.utf8)
        JSONValue.string(column.name).write(to: &output)
        output.append(contentsOf: #","storage":""#.utf8)
        output.append(contentsOf: column.storage.rawValue.utf8)
        output.append(contentsOf: #"","kind":""#.utf8)
        output.append(contentsOf: column.kind.rawValue.utf8)
        output.append(contentsOf: #"","rows":"#.utf8)
        write(column.rows, to: &output)
        output.append(contentsOf: #","missing":"#.utf8)
        write(column.missing, to: &output)
        output.append(contentsOf: #","infinite":"#.utf8)
        write(column.infinite, to: &output)
        switch column.sample {
        case .numbers(let distribution):
            output.append(contentsOf: #","numbers":{"values":["#.utf8)
            for (index, value) in distribution.values.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(value, to: &output)
            }
            output.append(contentsOf: #"],"counts":["#.utf8)
            for (index, count) in distribution.counts.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                write(count, to: &output)
            }
            output.append(contentsOf: "]}}".utf8)
        case .categories(let categories):
            output.append(contentsOf: #","categories":["#.utf8)
            for (index, entry) in categories.counts.sorted(by: { $0.key < $1.key }).enumerated() {
                output.append(contentsOf: (index > 0 ? ",[" : "[").utf8)
                switch entry.key {
                case .number(let value): write(value, to: &output)
                case .label(let text): JSONValue.string(text).write(to: &output)
                }
                output.append(UInt8(ascii: ","))
                write(entry.value, to: &output)
                output.append(UInt8(ascii: "]"))
            }
            output.append(contentsOf: "]}".utf8)
        }
    }

    /// A generous guess at a column's size in bytes, to reserve.
    static func estimatedSize(_ column: ColumnProfile) -> Int {
        160 + column.name.utf8.count + 24 * column.sample.distinctCount
    }

    /// Writes an integer in decimal without making a string.
    static func write(_ value: Int, to output: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { output.append(UInt8(ascii: "-")) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// Writes a double so that it reads back to the same bits: a whole number below 10^15 as an integer (the common
    /// case, written without making a string; `-0.0` keeps its point and sign), anything else in Swift's shortest
    /// form that reads back to the same double.
    static func write(_ value: Double, to output: inout [UInt8]) {
        if value.isFinite, value == value.rounded(.towardZero), value.magnitude < 1e15 {
            if value == 0 && value.sign == .minus {
                output.append(contentsOf: "-0.0".utf8)
            } else {
                write(Int(value), to: &output)
            }
        } else if value.isNaN {
            output.append(contentsOf: "NaN".utf8)
        } else if value.isInfinite {
            output.append(contentsOf: (value < 0 ? "-Infinity" : "Infinity").utf8)
        } else {
            output.append(contentsOf: value.description.utf8)
        }
    }
}
