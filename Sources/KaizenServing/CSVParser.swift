public import KaizenCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// An incremental RFC 4180 reader: feed it bytes in chunks of any size and take the complete rows.
///
/// Quoted fields may hold commas, doubled quotes and line breaks; `\r\n` and `\n` both end a row. Cells are typed
/// as pandas' `read_csv` types them: empty is null, integers and decimals are numbers, `True`/`False` are booleans,
/// the rest are strings.
public struct CSVParser: Sendable {
    var field: [UInt8] = []
    var row: [JSONValue] = []
    var inQuotes = false
    var quoteSeen = false
    var fieldWasQuoted = false
    var pendingCarriageReturn = false
    /// The longest field accepted, so a missing closing quote cannot swallow a huge file into memory.
    public var maximumFieldBytes = 1 << 20

    public init() {}

    /// Parses `bytes`, returning the rows they complete.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws(ServingError) -> [[JSONValue]] {
        // One copy into contiguous memory (none for an array), then a tight loop over it: iterating a generic
        // sequence (Data) byte by byte cost more than the parsing.
        let contiguous = Array(bytes)
        var outcome: Result<[[JSONValue]], ServingError> = .success([])
        contiguous.withUnsafeBufferPointer { buffer in
            outcome = Result { () throws(ServingError) in try scan(buffer) }
        }
        return try outcome.get()
    }

    mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws(ServingError) -> [[JSONValue]] {
        var rows: [[JSONValue]] = []
        for byte in bytes {
            if inQuotes {
                if quoteSeen {
                    quoteSeen = false
                    if byte == UInt8(ascii: "\"") {
                        field.append(byte)
                        continue
                    }
                    inQuotes = false
                } else if byte == UInt8(ascii: "\"") {
                    quoteSeen = true
                    continue
                } else {
                    field.append(byte)
                    guard field.count <= maximumFieldBytes else {
                        throw ServingError.badRequest("Invalid CSV: a field is longer than \(maximumFieldBytes) bytes")
                    }
                    continue
                }
            }
            switch byte {
            case UInt8(ascii: "\""):
                if field.isEmpty && !fieldWasQuoted {
                    inQuotes = true
                    fieldWasQuoted = true
                } else {
                    field.append(byte)
                }
            case UInt8(ascii: ","):
                try endField()
            case 0x0A:
                try endField()
                rows.append(row)
                row = []
            case 0x0D:
                break
            default:
                field.append(byte)
                guard field.count <= maximumFieldBytes else {
                    throw ServingError.badRequest("Invalid CSV: a field is longer than \(maximumFieldBytes) bytes")
                }
            }
        }
        return rows
    }

    /// Ends the input: returns the last row if it had no line break, and refuses an unclosed quote.
    public mutating func finish() throws(ServingError) -> [JSONValue]? {
        if inQuotes && !quoteSeen { throw ServingError.badRequest("Invalid CSV: a quoted field is not closed") }
        inQuotes = false
        guard !field.isEmpty || !row.isEmpty || fieldWasQuoted else { return nil }
        try endField()
        defer { row = [] }
        return row
    }

    mutating func endField() throws(ServingError) {
        if !fieldWasQuoted, let number = Self.plainNumber(&field) {
            row.append(number)
            field.removeAll(keepingCapacity: true)
            quoteSeen = false
            return
        }
        guard let text = String(validating: field, as: UTF8.self) else {
            throw ServingError.badRequest("Invalid CSV: a field is not valid UTF-8 text")
        }
        row.append(fieldWasQuoted ? .string(text) : Self.cell(text))
        field.removeAll(keepingCapacity: true)
        fieldWasQuoted = false
        quoteSeen = false
    }

    /// A field that is a plain decimal number (`-12`, `3.5`, `1e-7`), read straight from its bytes as `cell` would
    /// read its text (no string is made): nil for anything else, which `cell` then types.
    static func plainNumber(_ field: inout [UInt8]) -> JSONValue? {
        let count = field.count
        guard count > 0, count < 64 else { return nil }
        var digits = 0
        var integer = true
        var index = field[0] == UInt8(ascii: "-") ? 1 : 0
        var value: Int64 = 0
        var mantissa = 0
        while index < count {
            let byte = field[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                if integer { value = value &* 10 &+ Int64(byte - UInt8(ascii: "0")) }
            } else if byte == UInt8(ascii: "."), integer, mantissa == 0 {
                integer = false
                mantissa = index
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard digits > 0 else { return nil }
                integer = false
                // An exponent: an optional sign, then digits to the end.
                index += 1
                if index < count && (field[index] == UInt8(ascii: "-") || field[index] == UInt8(ascii: "+")) {
                    index += 1
                }
                guard index < count, field[index...].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                break
            } else {
                return nil
            }
            index += 1
        }
        guard digits > 0 else { return nil }
        if integer {
            guard digits <= 18 else { return nil }
            return .integer(field[0] == UInt8(ascii: "-") ? -value : value)
        }
        field.append(0)
        defer { field.removeLast() }
        return field.withUnsafeBufferPointer { buffer -> JSONValue? in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: count + 1) { start in
                var end: UnsafeMutablePointer<CChar>?
                let number = strtod(start, &end)
                return end == UnsafeMutablePointer(mutating: start) + count ? .double(number) : nil
            }
        }
    }

    /// A cell's value as pandas would type it.
    static func cell(_ text: String) -> JSONValue {
        if text.isEmpty { return .null }
        if let integer = Int64(text) { return .integer(integer) }
        if let double = Double(text), text.first != "+" || text.count > 1 { return .double(double) }
        switch text {
        case "True", "TRUE", "true": return .bool(true)
        case "False", "FALSE", "false": return .bool(false)
        case "NaN", "nan", "NA", "N/A", "null", "NULL": return .null
        default: return .string(text)
        }
    }
}

extension ScoringRequest {
    /// Parses a CSV request body: a header row, then one row per record.
    public static func parseCSV(_ bytes: some Sequence<UInt8>) throws(ServingError) -> ScoringInput {
        var parser = CSVParser()
        var rows = try parser.append(bytes)
        if let last = try parser.finish() { rows.append(last) }
        rows.removeAll { $0.count == 1 && $0[0] == .null }
        guard let header = rows.first else {
            throw ServingError.badRequest("Invalid CSV: the body has no header row")
        }
        let names = header.map { $0.stringValue ?? $0.jsonText }
        do {
            return .frame(try DataFrame(names: names, rows: rows.dropFirst().map { .array($0) }))
        } catch {
            throw ServingError.badRequest("Invalid CSV: every row must have the header's \(names.count) fields")
        }
    }
}
