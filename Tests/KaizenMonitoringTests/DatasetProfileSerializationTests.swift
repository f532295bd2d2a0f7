import Foundation
import KaizenCore
import Testing

@testable import KaizenMonitoring

struct DatasetProfileSerializationTests {
    func table(_ text: String) throws -> DataTable {
        try Array(text.utf8).withUnsafeBufferPointer { buffer throws(KaizenError) in
            try CSVTableReader.read(buffer, source: "test.csv")
        }
    }

    /// The profile survives a round trip exactly: the same bytes when written again, the same columns bit for bit,
    /// and the same drift report against `current` as the profile it came from.
    func expectRoundTrip(
        _ profile: DatasetProfile, current: DataTable, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let bytes = profile.serialized()
        let decoded = try DatasetProfile(serialized: bytes)
        #expect(decoded.serialized() == bytes, sourceLocation: sourceLocation)
        #expect(decoded.rows == profile.rows, sourceLocation: sourceLocation)
        #expect(decoded.columns.count == profile.columns.count, sourceLocation: sourceLocation)
        for (original, copy) in zip(profile.columns, decoded.columns) {
            #expect(
                original.name == copy.name && original.storage == copy.storage && original.kind == copy.kind
                    && original.rows == copy.rows && original.missing == copy.missing
                    && original.infinite == copy.infinite,
                "column \(original.name)", sourceLocation: sourceLocation)
            switch (original.sample, copy.sample) {
            case (.numbers(let a), .numbers(let b)):
                #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), sourceLocation: sourceLocation)
                #expect(a.counts == b.counts && a.total == b.total, sourceLocation: sourceLocation)
            case (.categories(let a), .categories(let b)):
                #expect(a == b, sourceLocation: sourceLocation)
                let signs = { (counts: CategoryCounts) in
                    counts.counts.keys.compactMap { key -> UInt64? in
                        if case .number(let value) = key { value.bitPattern } else { nil }
                    }.sorted()
                }
                #expect(signs(a) == signs(b), sourceLocation: sourceLocation)
            default:
                Issue.record("column \(original.name) changed sample kind", sourceLocation: sourceLocation)
            }
        }
        let expected = DriftReport(reference: profile, current: current).json.serialized()
        let actual = DriftReport(reference: decoded, current: current).json.serialized()
        #expect(
            String(decoding: actual, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
            sourceLocation: sourceLocation)
    }

    @Test func numericColumnsRoundTrip() throws {
        // int64, float64 with a gap and infinities, bool, an int with few values (categorical), extreme magnitudes.
        var reference = "i,f,b,few,big,tiny\n"
        var current = reference
        for row in 0..<200 {
            let f = row % 17 == 0 ? "" : row % 29 == 0 ? "inf" : row % 31 == 0 ? "-inf" : "\(Double(row) * 0.1 - 3)"
            let big = ["1.7976931348623157e308", "-1.7976931348623157e308", "1e300", "123456789012345678", "-0.0"]
            let tiny = ["5e-324", "2.2250738585072014e-308", "-1e-300", "0.0", "-0.0", "3e-17"]
            reference +=
                "\(row * 3 - 100),\(f),\(row % 3 == 0 ? "True" : "False"),\(row % 4),"
                + "\(big[row % big.count]),\(tiny[row % tiny.count])\n"
            current +=
                "\(row * 2),\(row % 13 == 0 ? "" : "\(Double(row) * 0.12))"),\(row % 2 == 0 ? "True" : "False"),"
                + "\(row % 5),\(big[(row / 2) % big.count]),\(tiny[(row / 3) % tiny.count])\n"
        }
        let profile = DatasetProfile(try table(reference))
        #expect(profile["f"]?.missing == 12 && profile["f"]?.infinite == 12)
        #expect(profile.columns.map(\.storage) == [.integer, .float, .boolean, .integer, .float, .float])
        #expect(profile["few"]?.kind == .categorical)
        try expectRoundTrip(profile, current: try table(current))
    }

    @Test func categoricalColumnsRoundTrip() throws {
        let labels = ["Lyon", "Oslo", "\"quoted\"", "back\\slash", "naïve café", "日本", "tab\there", "a,b", " "]
        var reference = "city,sparse,code\n"
        var current = reference
        for row in 0..<120 {
            let label = labels[row % labels.count]
            let quoted = "\"" + label.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            reference += "\(quoted),\(row % 4 == 0 ? "" : "s\(row % 3)"),x\(row % 5)\n"
            current += "\(quoted),\(row % 2 == 0 ? "" : "s\(row % 4)"),x\(row % 7)\n"
        }
        let profile = DatasetProfile(try table(reference))
        #expect(profile["sparse"]?.missing == 30)
        #expect(profile["city"]?.storage == .text && profile["city"]?.kind == .categorical)
        try expectRoundTrip(profile, current: try table(current))
    }

    /// Numbers as categories, `-0.0` kept apart from `0.0` in a distribution made by hand, and a column with no
    /// values: states `DatasetProfile(_:)` does not make but the types allow.
    @Test func handMadeSamplesRoundTrip() throws {
        let numbers = NumericDistribution(
            values: [-.leastNormalMagnitude / 1024, -0.0, 1, 2.5e15, 9.007199254740993e15], counts: [1, 2, 3, 4, 5])
        let mixed = CategoryCounts(counts: [.number(-0.0): 2, .number(7): 3, .number(0.1): 1, .label("7"): 4])
        let profile = DatasetProfile(
            columns: [
                ColumnProfile(
                    name: "n", storage: .float, kind: .numerical, rows: 20, missing: 5, infinite: 0,
                    sample: .numbers(numbers)),
                ColumnProfile(
                    name: "k", storage: .integer, kind: .categorical, rows: 20, missing: 10, infinite: 0,
                    sample: .categories(mixed)),
                ColumnProfile(
                    name: "e", storage: .float, kind: .numerical, rows: 20, missing: 20, infinite: 0,
                    sample: .numbers(NumericDistribution(values: [], counts: []))),
            ], rows: 20)
        let text = String(decoding: profile.serialized(), as: UTF8.self)
        #expect(text.contains(#"e-311,-0.0,1,"#))
        #expect(text.contains(#"["7",4]"#) && text.contains("[7,3]"))
        let current = DataTable(
            columns: [
                DataColumn(name: "n", values: .numbers([0, 1, 1, 2, .nan], integral: false, boolean: false)),
                DataColumn(name: "k", values: .numbers([7, 7, 0, 1, 1], integral: true, boolean: false)),
                DataColumn(name: "e", values: .numbers([1, 2, 3, 4, 5], integral: false, boolean: false)),
            ], rowCount: 5)
        try expectRoundTrip(profile, current: current)
    }

    @Test func emptyTablesRoundTrip() throws {
        try expectRoundTrip(DatasetProfile(try table("a,b\n")), current: try table("a,b\n1,x\n"))
        try expectRoundTrip(DatasetProfile(DataTable(columns: [], rowCount: 0)), current: try table("a\n1\n"))
    }

    /// Random bit patterns: every finite double prints and reads back to itself.
    @Test func everyFiniteDoubleRoundTrips() throws {
        let seed = try SplitMix64.seed(default: 0x5EED_0F_D0_0B1E)
        var generator = SplitMix64(seed: seed)
        var sample: [Double] = []
        while sample.count < 50_000 {
            let value = Double(bitPattern: generator.next())
            if value.isFinite { sample.append(value) }
        }
        sample += [.leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude]
        sample += [-.greatestFiniteMagnitude, 1e15, -1e15, 1e15 - 1, 0.1, 1 / 3]
        let distribution = NumericDistribution(sample: sample)
        let profile = DatasetProfile(
            columns: [
                ColumnProfile(
                    name: "x", storage: .float, kind: .numerical, rows: distribution.total, missing: 0, infinite: 0,
                    sample: .numbers(distribution))
            ], rows: distribution.total)
        let decoded = try DatasetProfile(serialized: profile.serialized())
        guard case .numbers(let copy) = decoded.columns[0].sample else {
            Issue.record("seed \(seed): not numbers")
            return
        }
        #expect(copy.values.map(\.bitPattern) == distribution.values.map(\.bitPattern), "seed \(seed)")
    }

    /// A profile of several columns of many distinct values, mixed with labels, reads back whole.
    @Test func largeProfilesRoundTrip() throws {
        let seed = try SplitMix64.seed(default: 0x9A7A_11E1)
        var generator = SplitMix64(seed: seed)
        let rows = 60_000
        var columns: [DataColumn] = []
        for index in 0..<6 {
            let values = (0..<rows).map { _ in (Double.random(in: -1...1, using: &generator) * 1e6).rounded() / 1000 }
            columns.append(DataColumn(name: "n\(index)", values: .numbers(values, integral: false, boolean: false)))
        }
        let codes = (0..<rows).map { _ in Int32.random(in: -1..<50, using: &generator) }
        columns.append(DataColumn(name: "c", values: .labels(codes: codes, labels: (0..<50).map { "label \($0)" })))
        let table = DataTable(columns: columns, rowCount: rows)
        let profile = DatasetProfile(table)
        #expect(profile.columns[0].sample.distinctCount > 50_000, "seed \(seed)")
        try expectRoundTrip(profile, current: table)
    }

    @Test func aMillionDistinctValuesRoundTrip() throws {
        let seed = try SplitMix64.seed(default: 1_000_000)
        var generator = SplitMix64(seed: seed)
        let sample = (0..<1_000_000).map { _ in Double.random(in: -1e6...1e6, using: &generator) }
        let profile = DatasetProfile(
            DataTable(
                columns: [DataColumn(name: "x", values: .numbers(sample, integral: false, boolean: false))],
                rowCount: sample.count))
        #expect(profile.columns[0].sample.distinctCount > 999_000, "seed \(seed)")
        let current = (0..<1_000).map { _ in Double.random(in: -9e5...1.1e6, using: &generator) }
        try expectRoundTrip(
            profile,
            current: DataTable(
                columns: [DataColumn(name: "x", values: .numbers(current, integral: false, boolean: false))],
                rowCount: current.count))
    }
}
