import Foundation
import KaizenCore
import Testing

@testable import KaizenMonitoring

struct DriftReportTests {
    func table(_ text: String) throws -> DataTable {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(KaizenError) in
            try CSVTableReader.read(buffer, source: "test.csv")
        }
    }

    func report(_ reference: String, _ current: String, options: DriftOptions = DriftOptions()) throws -> DriftReport {
        DriftReport(
            reference: DatasetProfile(try table(reference)), current: DatasetProfile(try table(current)),
            options: options)
    }

    @Test func columnsThatCannotBeComparedSayWhy() throws {
        let reference = "x,y,only_ref,empty,word\n" + (0..<50).map { "\($0),a,1,,w\($0 % 3)" }.joined(separator: "\n")
        let current = "x,y,empty,word,extra\n" + (0..<50).map { "\($0 + 40),b,,\($0),1" }.joined(separator: "\n")
        let report = try report(reference, current)
        #expect(report.missingFromCurrent == ["only_ref"])
        #expect(report.notInReference == ["extra"])
        let columns = Dictionary(uniqueKeysWithValues: report.columns.map { ($0.name, $0) })
        #expect(columns["x"]?.method == .ks && columns["x"]?.drifted == true)
        #expect(columns["y"]?.method == .z && columns["y"]?.drifted == true)
        #expect(columns["empty"]?.method == nil)
        #expect(columns["empty"]?.note?.contains("no values") == true)
        #expect(columns["word"]?.note?.contains("type mismatch") == true)
        #expect(report.comparedCount == 2 && report.driftedCount == 2 && report.datasetDrift)
        #expect(columns["y"]?.quality?.newCategories == [.label("b")])
        #expect(columns["y"]?.quality?.newCategoryShare == 1)
        #expect(columns["x"]?.quality?.outOfRangeShare == 0.8)
    }

    @Test func constantColumnsHaveADefinedScore() throws {
        let reference = "c\n" + Array(repeating: "7", count: 20).joined(separator: "\n")
        let same = try report(reference, reference)
        #expect(same.columns[0].method == .z && same.columns[0].score == 1 && !same.columns[0].drifted)
        #expect(same.columns[0].quality?.constant == true)
        let options = { () -> DriftOptions in
            var options = DriftOptions()
            options.method = .wasserstein
            return options
        }()
        // Wasserstein needs numbers; a categorical column refuses it with a note instead of a NaN.
        let refused = try report(reference, reference, options: options)
        #expect(refused.columns[0].method == nil && refused.columns[0].note?.contains("does not apply") == true)
    }

    @Test func jsonLinesAreTypedLikeCSV() throws {
        let text = #"""
            {"a": 1, "b": 2.5, "c": "x", "d": true}
            {"a": 2, "c": "y", "d": false}

            {"a": 3, "b": null, "c": 4, "d": true, "e": "late"}
            """#
        let table = try Array(text.utf8).withUnsafeBufferPointer { buffer throws(KaizenError) in
            try JSONLinesTableReader.read(buffer, source: "test.jsonl")
        }
        #expect(table.rowCount == 3)
        #expect(table.columns.map(\.name) == ["a", "b", "c", "d", "e"])
        #expect(table.columns.map(\.storageKind) == [.integer, .float, .text, .boolean, .text])
        #expect(table["e"]?.missingCount == 2)
        // A column of integers with a gap is float, as pandas reads it; the rows around the gap are integral again,
        // so a window of the inference log is typed alike with or without refusal lines beside it.
        let gapped = try Array("{\"n\": 1}\n{\"r\": \"refused\"}\n{\"n\": 3}\n{\"n\": 2.5, \"m\": 4}\n".utf8)
            .withUnsafeBufferPointer { buffer throws(KaizenError) in
                try JSONLinesTableReader.read(buffer, source: "log.jsonl")
            }
        #expect(gapped["n"]?.storageKind == .float && gapped["m"]?.storageKind == .float)
        #expect(gapped.selecting(rows: [0, 2])["n"]?.storageKind == .float)
        let integers = try Array("{\"n\": 1}\n{\"r\": \"refused\"}\n{\"n\": 3}\n".utf8)
            .withUnsafeBufferPointer { buffer throws(KaizenError) in
                try JSONLinesTableReader.read(buffer, source: "log.jsonl")
            }
        #expect(integers["n"]?.storageKind == .float)
        #expect(integers.selecting(rows: [0, 2])["n"]?.storageKind == .integer)
        #expect(integers.selecting(rows: [0, 1])["n"]?.storageKind == .float)
        #expect(integers.selecting(rows: [])["n"]?.storageKind == .float)
        #expect(throws: KaizenError.self) {
            try Array("{\"a\": [1]}\n".utf8).withUnsafeBufferPointer { buffer throws(KaizenError) in
                try JSONLinesTableReader.read(buffer, source: "bad.jsonl")
            }
        }
    }
}

struct DriftFilesTests {
    /// A report read in many small passes equals one read whole, and the last pass still refuses a long row.
    @Test func passesOverColumnGroupsGiveTheWholeReport() throws {
        let folder = "/tmp/kaizen-drift-files-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var random = SplitMix64(seed: 7)
        func file(_ name: String, rows: Int, shift: Double) throws -> String {
            var text = "a,b,c,d,e,f,g,h\n"
            for _ in 0..<rows {
                let values = (0..<8).map { column -> String in
                    let x = Double(random.next() % 10_000) / 1000 + (column < 3 ? shift : 0)
                    return column == 6 ? ["u", "v", "w"][Int(random.next() % 3)] : String(x)
                }
                text += values.joined(separator: ",") + "\n"
            }
            let path = folder + "/" + name
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let reference = try file("reference.csv", rows: 1500, shift: 0)
        let current = try file("current.csv", rows: 900, shift: 1)
        let whole = try DriftFiles.report(reference: reference, current: current, memoryBudget: 1 << 30)
        let passes = try DriftFiles.report(reference: reference, current: current, memoryBudget: 1)
        #expect(whole.columns.map(\.name) == ["a", "b", "c", "d", "e", "f", "g", "h"])
        #expect(passes.columns.map(\.name) == whole.columns.map(\.name))
        #expect(passes.columns.map(\.score) == whole.columns.map(\.score))
        #expect(whole.columns.map(\.drifted) == [true, true, true, false, false, false, false, false])
        #expect(passes.referenceRows == 1500 && passes.currentRows == 900)
        let long = folder + "/long.csv"
        try Data("a,b,c,d,e,f,g,h\n1,2,3,4,5,6,x,8\n1,2,3,4,5,6,y,8,9\n".utf8).write(to: URL(fileURLWithPath: long))
        #expect(throws: KaizenError.self) {
            try DriftFiles.report(reference: reference, current: long, memoryBudget: 1)
        }
    }
}
