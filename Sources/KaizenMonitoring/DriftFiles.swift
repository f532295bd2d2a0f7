import Dispatch
public import KaizenCore

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// A drift report on two data files, read in passes over groups of columns so that memory holds one group's
/// values at a time, not whole files: for CSV, each pass reads only its columns' fields and skips the rest of each
/// row. JSON lines are read whole.
public enum DriftFiles {
    /// Compares the data file at `current` with the one at `reference` (CSV, or JSON lines for `.jsonl` and
    /// `.ndjson`); a pass holds about `memoryBudget` bytes of values.
    public static func report(
        reference: String, current: String, options: DriftOptions = DriftOptions(), memoryBudget: Int = 128 << 20
    ) throws(KaizenError) -> DriftReport {
        guard !isJSONLines(reference), !isJSONLines(current) else {
            let referenceProfile = DatasetProfile(try table(at: reference))
            return DriftReport(reference: referenceProfile, current: try table(at: current), options: options)
        }
        let referenceFile = try MappedFile(path: reference)
        let currentFile = try MappedFile(path: current)
        let referenceNames = try CSVTableReader.header(referenceFile.bytes, source: reference)
        let currentNames = try CSVTableReader.header(currentFile.bytes, source: current)
        let referenceSet = Set(referenceNames)
        let currentSet = Set(currentNames)
        let chosen = currentNames.filter { options.columns?.contains($0) ?? true }
        let compared = chosen.filter(referenceSet.contains)
        let referenceSurvey = referenceFile.survey()
        let currentSurvey = currentFile.survey()
        // Two passes run at once, each within half the budget; but never more than 12 passes, as each reads the
        // files again: past that, memory grows with the rows instead.
        let rows = referenceSurvey.lines + currentSurvey.lines
        var groupSize = max(1, memoryBudget / 2 / max(8 * rows, 1), (compared.count + 11) / 12)
        // An even number of groups of equal size, so that neither worker is left with a last pass alone.
        let groupCount = (compared.count + groupSize - 1) / groupSize
        if groupCount > 1 {
            let evenCount = groupCount + groupCount % 2
            groupSize = (compared.count + evenCount - 1) / evenCount
        }
        var groups = stride(from: 0, to: compared.count, by: groupSize).map {
            Array(compared[$0..<min($0 + groupSize, compared.count)])
        }
        if groups.isEmpty { groups = [[]] }
        let passes = groups.map { group in
            Pass(
                reference: referenceFile, referenceSource: reference,
                referenceHasQuotes: referenceSurvey.hasQuotes, referenceLines: referenceSurvey.lines,
                current: currentFile, currentSource: current, currentHasQuotes: currentSurvey.hasQuotes,
                currentLines: currentSurvey.lines, columns: group)
        }
        let outcomes = ResultSlots<Result<Pass.Outcome, KaizenError>>(count: passes.count)
        let workers = min(2, passes.count)
        // Each worker takes a run of consecutive groups, so that its passes go on through each row where the one
        // before stopped (its own index of both files' rows).
        let share = (passes.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let indexes = (CSVTableReader.RowIndex(), CSVTableReader.RowIndex())
            for index in (worker * share)..<min((worker + 1) * share, passes.count) {
                // The last pass counts every row's fields and refuses rows longer than the header.
                outcomes.set(
                    index,
                    Result { () throws(KaizenError) in
                        try passes[index].run(
                            options: options, checkingRows: index == passes.count - 1, indexes: indexes)
                    })
            }
        }
        var columns: [DriftReport.Column] = []
        var referenceRows = 0
        var currentRows = 0
        for outcome in outcomes.values() {
            let result = try outcome.get()
            columns += result.columns
            referenceRows = result.referenceRows
            currentRows = result.currentRows
        }
        return DriftReport(
            columns: columns, referenceRows: referenceRows, currentRows: currentRows, driftShare: options.driftShare,
            missingFromCurrent: referenceNames.filter { !currentSet.contains($0) },
            notInReference: chosen.filter { !referenceSet.contains($0) })
    }

    /// One pass over both files for a group of columns.
    struct Pass: @unchecked Sendable {
        struct Outcome {
            var columns: [DriftReport.Column]
            var referenceRows: Int
            var currentRows: Int
        }

        let reference: MappedFile
        let referenceSource: String
        let referenceHasQuotes: Bool
        let referenceLines: Int
        let current: MappedFile
        let currentSource: String
        let currentHasQuotes: Bool
        let currentLines: Int
        let columns: [String]

        func run(
            options: DriftOptions, checkingRows: Bool,
            indexes: (reference: CSVTableReader.RowIndex, current: CSVTableReader.RowIndex)
        ) throws(KaizenError) -> Outcome {
            var compared = options
            compared.columns = columns
            let referenceTable = try CSVTableReader.read(
                reference, source: referenceSource,
                columns: Set(columns), checkingRows: checkingRows,
                hasQuotes: referenceHasQuotes, expectedRows: referenceLines, rowIndex: indexes.reference)
            let referenceRows = referenceTable.rowCount
            let profile = DatasetProfile(referenceTable)
            let currentTable = try CSVTableReader.read(
                current, source: currentSource, columns: Set(columns), checkingRows: checkingRows,
                hasQuotes: currentHasQuotes, expectedRows: currentLines, rowIndex: indexes.current)
            let currentRows = currentTable.rowCount
            let report = DriftReport(reference: profile, current: currentTable, options: compared)
            return Outcome(columns: report.columns, referenceRows: referenceRows, currentRows: currentRows)
        }
    }

    /// Whether a path names a JSON-lines file.
    public static func isJSONLines(_ path: String) -> Bool {
        let lowered = path.lowercased()
        return lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson")
    }

    /// Reads a whole data file.
    public static func table(at path: String) throws(KaizenError) -> DataTable {
        isJSONLines(path) ? try JSONLinesTableReader.read(path: path) : try CSVTableReader.read(path: path)
    }
}
