public import KaizenCore

/// The column whose values split rows into segments (`--segment-by`), read row by row: a row's segment is its value
/// as text, `(missing)` where it has none; more than `maximum` distinct values is an error, as a report of
/// thousands of segments is a column chosen by mistake.
public struct SegmentColumn {
    /// The most distinct values a segment column may take.
    public static let maximum = 100
    /// The segment of rows that have no value in the column.
    public static let missing = "(missing)"

    public let column: DataColumn
    var seen: Set<String> = []

    public init(_ column: DataColumn) {
        self.column = column
    }

    /// Row `row`'s segment.
    public mutating func segment(at row: Int) throws(KaizenError) -> String {
        let value = column.text(at: row) ?? Self.missing
        if seen.insert(value).inserted, seen.count > Self.maximum {
            throw KaizenError.invalidParameter(
                "'\(column.name)' has more than \(Self.maximum) values; segment by a column with fewer values")
        }
        return value
    }

    /// Every row's segment: the rows of each value, in the order the values first appear.
    public mutating func rowsBySegment() throws(KaizenError) -> [(segment: String, rows: [Int])] {
        var order: [String] = []
        var rows: [String: [Int]] = [:]
        for row in 0..<column.count {
            let value = try segment(at: row)
            if rows[value] == nil { order.append(value) }
            rows[value, default: []].append(row)
        }
        return order.map { ($0, rows[$0]!) }
    }
}
