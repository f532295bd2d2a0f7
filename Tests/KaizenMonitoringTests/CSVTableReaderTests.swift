import KaizenCore
import Testing

@testable import KaizenMonitoring

struct CSVTableReaderTests {
    func read(_ text: String) throws -> DataTable {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(KaizenError) in
            try CSVTableReader.read(buffer, source: "test.csv")
        }
    }

    @Test func typesColumnsAsPandasDoes() throws {
        let table = try read(
            "id,price,flag,city,gappy,note\n1,2.5,True,Oslo,3,\"a, \"\"quoted\"\" note\"\n"
                + "2,-1e3,False,Rome,,x\r\n\n3,.5,True,Oslo,7,y\n")
        #expect(table.rowCount == 3)
        #expect(table.columns.map(\.storageKind) == [.integer, .float, .boolean, .text, .float, .text])
        guard case .numbers(let prices, _, _) = table["price"]!.values else {
            Issue.record("price")
            return
        }
        #expect(prices == [2.5, -1000, 0.5])
        guard case .labels(let codes, let labels) = table["note"]!.values else {
            Issue.record("note")
            return
        }
        #expect(codes.map { labels[Int($0)] } == ["a, \"quoted\" note", "x", "y"])
        guard case .numbers(let gappy, _, _) = table["gappy"]!.values else {
            Issue.record("gappy")
            return
        }
        #expect(gappy[0] == 3 && gappy[1].isNaN && gappy[2] == 7)
    }

    @Test func aColumnThatTurnsToTextKeepsItsEarlierCellsAsWritten() throws {
        let table = try read("code\n1.50\n\n2\nNA\nA7\n")
        guard case .labels(let codes, let labels) = table["code"]!.values else {
            Issue.record("code")
            return
        }
        #expect(codes.map { $0 < 0 ? "<missing>" : labels[Int($0)] } == ["1.50", "2", "<missing>", "A7"])
    }

    @Test func shortRowsAreFilledAndLongRowsRefused() throws {
        let table = try read("a,b\n1\n2,3\n")
        guard case .numbers(let b, let integral, _) = table["b"]!.values else {
            Issue.record("b")
            return
        }
        #expect(b[0].isNaN && b[1] == 3 && !integral)
        #expect(throws: KaizenError.self) { try read("a,b\n1,2,3\n") }
        #expect(throws: KaizenError.self) { try read("a,a\n1,2\n") }
        #expect(throws: KaizenError.self) { try read("a,b\n\"1,2\n") }
        #expect(throws: KaizenError.self) { try read("") }
    }

    @Test func readsNumbersExactly() throws {
        let cells = ["0.1", "123456789.123456789", "1e-300", "-0.000001", "12345678901234567890", "inf", "-Infinity"]
        let table = try read("x\n" + cells.joined(separator: "\n") + "\n")
        guard case .numbers(let values, _, _) = table["x"]!.values else {
            Issue.record("x")
            return
        }
        #expect(values == cells.map { Double($0 == "-Infinity" ? "-inf" : $0)! })
    }
}

struct CSVColumnSelectionTests {
    /// Reading some columns, with rows skipped past and fields jumped over eight bytes at a time, gives the same
    /// columns as reading every column.
    @Test func selectedColumnsReadAsInAFullRead() throws {
        var text = "a,bb,c,d,eeee,f,g,h,i,j,k,l\n"
        for row in 0..<300 {
            switch row % 7 {
            case 0: text += "\n"  // blank line
            case 1: text += "\(row),7\n"  // short row
            default:
                text +=
                    (0..<12).map { column in column == 5 ? "" : "\(row * 12 + column).\(column)" }.joined(
                        separator: ",") + (row % 2 == 0 ? "\r\n" : "\n")
            }
        }
        let bytes = Array(text.utf8)
        let full = try bytes.withUnsafeBufferPointer { buffer throws(KaizenError) in
            try CSVTableReader.read(buffer, source: "t.csv")
        }
        for wanted in [["a"], ["c", "k"], ["bb", "f", "l"], ["j"], ["l"]] {
            let part = try bytes.withUnsafeBufferPointer { buffer throws(KaizenError) in
                try CSVTableReader.read(
                    buffer, source: "t.csv", columns: Set(wanted), checkingRows: false, hasQuotes: false)
            }
            #expect(part.rowCount == full.rowCount)
            #expect(part.columns.map(\.name) == wanted)
            for column in part.columns {
                guard case .numbers(let got, _, _) = column.values,
                    case .numbers(let want, _, _) = full[column.name]!.values
                else {
                    Issue.record("\(column.name) is not numbers")
                    continue
                }
                #expect(got.elementsEqual(want) { $0 == $1 || ($0.isNaN && $1.isNaN) }, "\(column.name)")
            }
        }
    }
}

struct CSVRowIndexTests {
    /// Cell texts of a column, "" where missing.
    func cells(_ column: DataColumn?) -> [String] {
        guard let column else { return [] }
        return (0..<column.count).map { column.text(at: $0) ?? "" }
    }

    /// Passes over groups of columns through one row index read what one pass over every column reads: rows
    /// shorter than the header, blank lines, `\r\n`, empty last fields, a stray `\r`, labels found late, a last row
    /// without a line break, and groups out of the file's order.
    @Test func passesThroughAnIndexReadWhatOnePassReads() throws {
        let text =
            "a,b,c,d,e,f\n1,2,3,4,5,6\n\n7,8\r\n9,10,11,12,13,\n\r\n14,,15,16,17,18\n"
            + "19,20,21,22,x,23\n\rz,24,25,26,27,28\n29,30,31,32,33,34"
        let bytes = Array(text.utf8)
        try bytes.withUnsafeBufferPointer { buffer throws(KaizenError) in
            let whole = try CSVTableReader.read(buffer, source: "t.csv", hasQuotes: false)
            for groups in [
                [["a", "b"], ["c"], ["e", "f"]], [["b", "d"], ["e"], ["f"]], [["c", "d"], ["a"], ["f"]],
            ] {
                let index = CSVTableReader.RowIndex()
                for group in groups {
                    let pass = try CSVTableReader.read(
                        buffer, source: "t.csv", columns: Set(group), checkingRows: false, hasQuotes: false,
                        rowIndex: index)
                    #expect(pass.rowCount == whole.rowCount)
                    for name in group {
                        #expect(cells(pass[name]) == cells(whole[name]), "\(groups) \(name)")
                        #expect(pass[name]?.storageKind == whole[name]?.storageKind, "\(groups) \(name)")
                    }
                }
            }
        }
    }
}
