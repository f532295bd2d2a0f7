public import KaizenCore

/// Reads JSON lines (one object per line) into a `DataTable`, typing columns as pandas'
/// `read_json(lines=True)` does: the columns are every key in order of first appearance, a key a line lacks is a
/// missing value there, and a column mixing numbers with text is text.
public enum JSONLinesTableReader {
    /// Reads the file at `path`.
    public static func read(path: String) throws(KaizenError) -> DataTable {
        let file = try MappedFile(path: path)
        return try withExtendedLifetime(file) { () throws(KaizenError) -> DataTable in
            try read(file.bytes, source: path)
        }
    }

    /// Reads JSON lines; `source` names them in error messages.
    public static func read(_ bytes: UnsafeBufferPointer<UInt8>, source: String) throws(KaizenError) -> DataTable {
        var names: [String] = []
        var positions: [String: Int] = [:]
        var cells: [[JSONValue]] = []
        var rows = 0
        var line = 0
        var start = 0
        while start < bytes.count {
            line += 1
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            let text = UnsafeBufferPointer(rebasing: bytes[start..<end])
            start = end + 1
            guard text.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            let value: JSONValue
            do {
                value = try JSONValue(parsing: text)
            } catch {
                throw .invalidParameter("Invalid JSON lines in \(source): line \(line) is not JSON (\(error))")
            }
            guard case .object(let fields) = value else {
                throw .invalidParameter("Invalid JSON lines in \(source): line \(line) is not a JSON object")
            }
            for (key, cell) in fields {
                switch cell {
                case .array, .object:
                    throw .invalidParameter(
                        "Invalid JSON lines in \(source): '\(key)' on line \(line) is not a number, a string, a "
                            + "boolean or null")
                default: break
                }
                let index: Int
                if let known = positions[key] {
                    index = known
                } else {
                    index = names.count
                    positions[key] = index
                    names.append(key)
                    cells.append(Array(repeating: .null, count: rows))
                }
                if cells[index].count == rows { cells[index].append(cell) } else { cells[index][rows] = cell }
            }
            rows += 1
            for index in cells.indices where cells[index].count < rows { cells[index].append(.null) }
        }
        guard !names.isEmpty else { throw .invalidParameter("Invalid JSON lines in \(source): no rows") }
        let columns = zip(names, cells).map { column(named: $0, $1) }
        return DataTable(columns: columns, rowCount: rows)
    }

    static func column(named name: String, _ cells: [JSONValue]) -> DataColumn {
        var numbers = true
        var booleans = true
        var integral = true
        var wholeWhenPresent = true
        var present = 0
        for cell in cells {
            switch cell {
            case .null: integral = false
            case .integer:
                booleans = false
                present += 1
            case .double:
                booleans = false
                integral = false
                wholeWhenPresent = false
                present += 1
            case .bool:
                numbers = false
                present += 1
            default:
                numbers = false
                booleans = false
                present += 1
            }
        }
        if numbers && (present == 0 || !booleans) {
            let values = cells.map { cell -> Double in
                switch cell {
                case .integer(let value): Double(value)
                case .double(let value): value
                default: .nan
                }
            }
            return DataColumn(
                name: name, values: .numbers(values, integral: integral && present > 0, boolean: false),
                integralWhenPresent: wholeWhenPresent && present > 0)
        }
        if booleans && integral {
            let values = cells.map { $0 == .bool(true) ? 1.0 : 0.0 }
            return DataColumn(name: name, values: .numbers(values, integral: true, boolean: true))
        }
        var labels: [String] = []
        var codes: [String: Int32] = [:]
        let indexes = cells.map { cell -> Int32 in
            let label: String
            switch cell {
            case .null: return -1
            case .string(let text): label = text
            case .bool(let flag): label = flag ? "True" : "False"
            default: label = String(decoding: cell.serialized(), as: UTF8.self)
            }
            if let code = codes[label] { return code }
            codes[label] = Int32(labels.count)
            labels.append(label)
            return Int32(labels.count - 1)
        }
        return DataColumn(name: name, values: .labels(codes: indexes, labels: labels))
    }
}
