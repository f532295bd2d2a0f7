#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// Gathers one column's cells as they are read, typing the column as pandas would: numbers until a cell is not a
/// number, booleans when the first value is `True` or `False`, text labels otherwise.
struct ColumnBuilder {
    enum State {
        case numbers
        case booleans
        case labels
    }

    let name: String
    var state = State.numbers
    var numbers: [Double] = []
    var integral = true
    var valueCount = 0
    var codes: [Int32] = []
    var labels: [String] = []
    var labelCodes: [String: Int32] = [:]
    /// The first labels' bytes, while there are few.
    var labelBytes: [[UInt8]] = []

    init(name: String, expectedRows: Int = 0) {
        self.name = name
        numbers.reserveCapacity(expectedRows)
    }

    var rowCount: Int { state == .labels ? codes.count : numbers.count }

    /// Adds a cell; false when the cell does not fit the column's type so far, and the caller must re-read the
    /// column's earlier cells as labels (`becomeLabels`) before adding it again.
    mutating func append(_ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        // A number first: no missing-value marker reads as one (the NaN words are NaN either way).
        if state == .numbers, let number = CellText.number(cell) {
            numbers.append(number.value)
            if !number.integral { integral = false }
            valueCount += 1
            return true
        }
        if CellText.isMissing(cell) {
            appendMissing()
            return true
        }
        switch state {
        case .numbers:
            if valueCount == 0, let flag = CellText.boolean(cell) {
                state = .booleans
                numbers.append(flag ? 1 : 0)
                valueCount += 1
                return true
            }
            return false
        case .booleans:
            guard let flag = CellText.boolean(cell) else { return false }
            numbers.append(flag ? 1 : 0)
            valueCount += 1
            return true
        case .labels:
            codes.append(code(for: cell))
            valueCount += 1
            return true
        }
    }

    mutating func appendMissing() {
        integral = false
        if state == .labels { codes.append(-1) } else { numbers.append(.nan) }
    }

    /// Turns the column into labels with no rows yet: the caller re-reads the earlier cells.
    mutating func becomeLabels() {
        state = .labels
        codes.reserveCapacity(numbers.capacity)
        labelBytes = []
        numbers = []
        valueCount = 0
    }

    mutating func code(for cell: UnsafeBufferPointer<UInt8>) -> Int32 {
        // Few labels (the usual categorical column) are found by their bytes, with no string made per cell.
        if labelBytes.count < 16, let start = cell.baseAddress {
            for (code, bytes) in labelBytes.enumerated() where bytes.count == cell.count {
                if bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, start, cell.count) == 0 }) {
                    return Int32(code)
                }
            }
        }
        let label = String(decoding: cell, as: UTF8.self)
        if let code = labelCodes[label] { return code }
        let code = Int32(labels.count)
        labels.append(label)
        if labelBytes.count < 16 { labelBytes.append(Array(cell)) }
        labelCodes[label] = code
        return code
    }

    func column() -> DataColumn {
        switch state {
        case .numbers:
            DataColumn(name: name, values: .numbers(numbers, integral: integral && valueCount > 0, boolean: false))
        case .booleans:
            // A gap makes pandas read the column as objects; Kaizen keeps True and False as labels.
            integral
                ? DataColumn(name: name, values: .numbers(numbers, integral: true, boolean: true))
                : DataColumn(
                    name: name,
                    values: .labels(
                        codes: numbers.map { $0.isNaN ? -1 : $0 == 1 ? 1 : 0 }, labels: ["False", "True"]))
        case .labels:
            DataColumn(name: name, values: .labels(codes: codes, labels: labels))
        }
    }
}
