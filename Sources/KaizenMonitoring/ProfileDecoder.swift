import KaizenCore

/// Reads a profile document token by token, checking everything as it goes, so that a hostile document costs no
/// more than its size and fails with a message that says where: the column and the field.
///
/// The document is read with `JSONReader` rather than parsed into a `JSONValue` tree first: a profile with a
/// million distinct values would otherwise be a million enum values in arrays before the first check.
struct ProfileDecoder {
    var reader: JSONReader
    /// The column being read (its position, and its name once read), for messages.
    var columnIndex: Int?
    var columnName: String?
    /// The field being read, for messages.
    var field: String?

    init(reader: JSONReader) {
        self.reader = reader
    }

    /// Reads the whole document.
    mutating func profile() throws(KaizenError) -> DatasetProfile {
        try expect(UInt8(ascii: "{"), "an object")
        // The format and version lead, so that a document from elsewhere or from a later version is refused for
        // what it is, not for whatever else differs in it.
        try expectKey("format")
        field = "format"
        let format = try string()
        guard format == DatasetProfile.serializationFormat else {
            throw fail("is \(JSONValue.string(format).messageText), not \"\(DatasetProfile.serializationFormat)\"")
        }
        try expect(UInt8(ascii: ","), "','")
        try expectKey("version")
        field = "version"
        let version = try integer()
        guard version == DatasetProfile.serializationVersion else {
            throw fail("\(version) is not supported; this build reads version \(DatasetProfile.serializationVersion)")
        }
        var rows: Int?
        var columns: [ColumnProfile]?
        field = nil
        if try nextField(closing: UInt8(ascii: "}")) {
            try fields(seen: ["format", "version"]) { decoder, key throws(KaizenError) in
                switch key {
                case "rows": rows = try decoder.count()
                case "columns": columns = try decoder.columns()
                default: throw decoder.fail("is not a field of a dataset profile")
                }
            }
        }
        field = nil
        guard reader.isAtEnd() else { throw fail("unexpected data after the document") }
        guard let rows else { throw missing("rows") }
        guard let columns else { throw missing("columns") }
        try Self.check(columns, rows: rows)
        return DatasetProfile(columns: columns, rows: rows)
    }

    /// Checks what involves more than one column: every column has the data set's rows, and no name repeats.
    static func check(_ columns: [ColumnProfile], rows: Int) throws(KaizenError) {
        var names: Set<String> = []
        for (index, column) in columns.enumerated() {
            guard column.rows == rows else {
                throw error(
                    column: index, name: column.name, field: "rows",
                    "is \(column.rows), but the data set has \(rows) rows")
            }
            guard names.insert(column.name).inserted else {
                throw error(column: index, name: column.name, field: "name", "repeats an earlier column's name")
            }
        }
    }

    /// Runs `body` on a decoder over `bytes`.
    static func reading<Value>(
        _ bytes: some Collection<UInt8>, _ body: (inout ProfileDecoder) throws(KaizenError) -> Value
    ) throws(KaizenError) -> Value {
        let result = Result { () throws(JSONParseError) in
            try JSONReader.read(bytes) { reader throws(JSONParseError) in
                var decoder = ProfileDecoder(reader: reader)
                return Result { () throws(KaizenError) in try body(&decoder) }
            }
        }
        switch result {
        case .success(.success(let value)): return value
        case .success(.failure(let error)): throw error
        // The decoder turns every parse error into a `KaizenError`; this is only for completeness.
        case .failure(let error): throw .invalidParameter("Invalid dataset profile: \(error)")
        }
    }

    mutating func columns() throws(KaizenError) -> [ColumnProfile] {
        try expect(UInt8(ascii: "["), "an array")
        var columns: [ColumnProfile] = []
        guard !reader.take(UInt8(ascii: "]")) else { return columns }
        repeat {
            (columnIndex, columnName, field) = (columns.count, nil, nil)
            columns.append(try column())
        } while try nextItem(closing: UInt8(ascii: "]"))
        (columnIndex, columnName, field) = (nil, nil, "columns")
        return columns
    }

    mutating func column() throws(KaizenError) -> ColumnProfile {
        var name: String?
        var storage: DataColumn.StorageKind?
        var kind: ColumnKind?
        var rows: Int?
        var missing: Int?
        var infinite: Int?
        var sample: ColumnSample?
        try expect(UInt8(ascii: "{"), "an object")
        if !reader.take(UInt8(ascii: "}")) {
            try fields(seen: []) { decoder, key throws(KaizenError) in
                switch key {
                case "name":
                    name = try decoder.string()
                    decoder.columnName = name
                case "storage":
                    let text = try decoder.string()
                    guard let value = DataColumn.StorageKind(rawValue: text) else {
                        throw decoder.fail(
                            "\(JSONValue.string(text).messageText) is not int64, float64, bool or object")
                    }
                    storage = value
                case "kind":
                    let text = try decoder.string()
                    guard let value = ColumnKind(rawValue: text) else {
                        throw decoder.fail(
                            "\(JSONValue.string(text).messageText) is not numerical, categorical or text")
                    }
                    kind = value
                case "rows": rows = try decoder.count()
                case "missing": missing = try decoder.count()
                case "infinite": infinite = try decoder.count()
                case "numbers", "categories":
                    guard sample == nil else { throw decoder.fail("a column has either numbers or categories") }
                    sample = key == "numbers" ? .numbers(try decoder.numbers()) : .categories(try decoder.categories())
                default: throw decoder.fail("is not a field of a column profile")
                }
            }
        }
        field = nil
        guard let name else { throw self.missing("name") }
        guard let storage else { throw self.missing("storage") }
        guard let kind else { throw self.missing("kind") }
        guard let rows else { throw self.missing("rows") }
        guard let missing else { throw self.missing("missing") }
        guard let infinite else { throw self.missing("infinite") }
        guard let sample else { throw self.missing("numbers' or 'categories") }
        guard missing <= rows, infinite <= rows - missing else {
            throw fail("missing (\(missing)) and infinite (\(infinite)) values are more than the \(rows) rows")
        }
        let total: Int
        switch sample {
        case .numbers(let distribution):
            field = "numbers"
            total = distribution.total
        case .categories(let counts):
            field = "categories"
            total = counts.total
        }
        guard total == rows - missing - infinite else {
            throw fail("counts add up to \(total), not rows - missing - infinite = \(rows - missing - infinite)")
        }
        return ColumnProfile(
            name: name, storage: storage, kind: kind, rows: rows, missing: missing, infinite: infinite, sample: sample)
    }

    /// `{"values": [...], "counts": [...]}`: distinct finite values, strictly ascending, and a count of at least 1
    /// for each.
    mutating func numbers() throws(KaizenError) -> NumericDistribution {
        var values: [Double]?
        var counts: [Int]?
        var total = 0
        try expect(UInt8(ascii: "{"), "an object")
        if !reader.take(UInt8(ascii: "}")) {
            try fields(seen: []) { decoder, key throws(KaizenError) in
                switch key {
                case "values":
                    var read: [Double] = []
                    try decoder.items { decoder, index throws(KaizenError) in
                        let value = try decoder.finiteNumber(at: index, "a number")
                        if let previous = read.last, !(previous < value) {
                            throw decoder.fail("item \(index) (\(value)) is not above the one before (\(previous))")
                        }
                        read.append(value)
                    }
                    values = read
                case "counts":
                    var read: [Int] = []
                    try decoder.items { decoder, index throws(KaizenError) in
                        read.append(try decoder.positiveCount(at: index, adding: &total))
                    }
                    counts = read
                default: throw decoder.fail("is not a field of a numeric sample")
                }
            }
        }
        field = "numbers"
        guard let values else { throw missing("numbers.values") }
        guard let counts else { throw missing("numbers.counts") }
        guard values.count == counts.count else {
            throw fail("\(values.count) values but \(counts.count) counts")
        }
        return NumericDistribution(values: values, counts: counts)
    }

    /// `[[key, count], ...]`: a string key is a label, a number key a numeric category; no key twice.
    mutating func categories() throws(KaizenError) -> CategoryCounts {
        var counts: [CategoryKey: Int] = [:]
        var total = 0
        try items { decoder, index throws(KaizenError) in
            try decoder.expect(UInt8(ascii: "["), "a [key, count] pair")
            let key: CategoryKey
            if let label = try decoder.optionalString() {
                key = .label(label)
            } else {
                key = .number(try decoder.finiteNumber(at: index, "a label or a number as the key"))
            }
            try decoder.expect(UInt8(ascii: ","), "','")
            let count = try decoder.positiveCount(at: index, adding: &total)
            try decoder.expect(UInt8(ascii: "]"), "']'")
            guard counts.updateValue(count, forKey: key) == nil else {
                throw decoder.fail("item \(index): the category \(key.json.messageText) appears twice")
            }
        }
        return CategoryCounts(counts: counts)
    }
}
