import KaizenCore
import Testing

@testable import KaizenDeploy

struct ReportLedgerTests {
    static func report(_ replica: String, _ sequence: UInt64, end: Int64, _ versions: [Int64: UInt64]) -> ReplicaReport
    {
        ReplicaReport(
            replicaID: replica, endpoint: "fraud", sequence: sequence, windowStart: end - 5000, windowEnd: end,
            versions: versions.mapValues { VersionStats(requests: $0, serverErrors: $0 / 10) })
    }

    @Test func reportsFromReplicasMergePerVersion() {
        var ledger = ReportLedger()
        #expect(ledger.apply(Self.report("a", 1, end: 5000, [3: 100, 4: 10])) == .applied)
        #expect(ledger.apply(Self.report("b", 1, end: 5000, [3: 50])) == .applied)
        #expect(ledger.apply(Self.report("a", 2, end: 10_000, [3: 100, 4: 20])) == .applied)
        let stats = ledger.stats(since: 0)
        #expect(stats[3]?.requests == 250)
        #expect(stats[3]?.serverErrors == 25)
        #expect(stats[4]?.requests == 30)
        #expect(ledger.stats(for: 4, since: 0).requests == 30)
        #expect(ledger.stats(for: 9, since: 0) == VersionStats())
        #expect(ledger.reportCount == 3)
    }

    @Test func aRetriedReportCountsOnce() {
        var ledger = ReportLedger()
        let report = Self.report("a", 7, end: 5000, [3: 100])
        #expect(ledger.apply(report) == .applied)
        #expect(ledger.apply(report) == .duplicate)
        #expect(ledger.apply(report) == .duplicate)
        #expect(ledger.stats(since: 0)[3]?.requests == 100)
        #expect(ledger.lastSequence(of: "a") == 7)
        #expect(ledger.lastSequence(of: "b") == nil)
    }

    @Test func olderSequencesAreIgnoredEvenWhenReordered() {
        var ledger = ReportLedger()
        #expect(ledger.apply(Self.report("a", 2, end: 10_000, [3: 20])) == .applied)
        // Report 1 arrives late: a later one was applied, so it is stale.
        #expect(ledger.apply(Self.report("a", 1, end: 5000, [3: 10])) == .stale)
        // Another replica's sequence is its own.
        #expect(ledger.apply(Self.report("b", 1, end: 5000, [3: 1])) == .applied)
        #expect(ledger.apply(Self.report("a", 3, end: 15_000, [3: 30])) == .applied)
        #expect(ledger.apply(Self.report("a", 2, end: 10_000, [3: 20])) == .stale)
        #expect(ledger.stats(since: 0)[3]?.requests == 51)
    }

    @Test func windowsSelectReportsByTheirEnd() {
        var ledger = ReportLedger()
        ledger.apply(Self.report("a", 1, end: 5000, [3: 1]))
        ledger.apply(Self.report("a", 2, end: 10_000, [3: 10]))
        ledger.apply(Self.report("a", 3, end: 15_000, [3: 100]))
        #expect(ledger.stats(for: 3, since: 10_000).requests == 110)
        #expect(ledger.stats(for: 3, since: 10_001).requests == 100)
        #expect(ledger.stats(for: 3, since: 0, through: 10_000).requests == 11)
        #expect(ledger.stats(for: 3, since: 5000, through: 5000).requests == 1)
        #expect(ledger.stats(since: 20_000).isEmpty)
        #expect(ledger.stats(since: 10_000, through: 10_000)[3]?.requests == 10)
    }

    @Test func pruningDropsOldReportsAndRefusesLateOnes() {
        var ledger = ReportLedger()
        ledger.apply(Self.report("a", 1, end: 5000, [3: 1]))
        ledger.apply(Self.report("b", 1, end: 5000, [3: 2]))
        ledger.apply(Self.report("b", 2, end: 12_000, [3: 4]))
        ledger.prune(before: 10_000)
        #expect(ledger.horizon == 10_000)
        #expect(ledger.reportCount == 1)
        #expect(ledger.stats(for: 3, since: 0).requests == 4)
        // Replica a was forgotten; its retried report ended before the horizon, so it stays out.
        #expect(ledger.lastSequence(of: "a") == nil)
        #expect(ledger.apply(Self.report("a", 1, end: 5000, [3: 1])) == .stale)
        #expect(ledger.apply(Self.report("c", 1, end: 9999, [3: 1])) == .stale)
        #expect(ledger.apply(Self.report("a", 2, end: 15_000, [3: 8])) == .applied)
        #expect(ledger.apply(Self.report("b", 2, end: 12_000, [3: 4])) == .duplicate)
        // An earlier horizon does not move it back.
        ledger.prune(before: 0)
        #expect(ledger.horizon == 10_000)
        #expect(ledger.stats(for: 3, since: 0).requests == 12)
    }

    /// Replicas that retry, duplicate and reorder their reports: the ledger counts what a replica sent, in
    /// increasing sequence, exactly once; rebuilding from the stored, applied reports gives the same ledger.
    @Test func randomRetriesAndReorderingCountEachAppliedReportOnce() throws {
        let seed = try SplitMix64.seed(default: 0x726F_6C6C)
        var generator = SplitMix64(seed: seed)
        var ledger = ReportLedger()
        var sent: [ReplicaReport] = []
        var stored: [ReplicaReport] = []
        var expected: [String: UInt64] = [:]
        var highest: [String: UInt64] = [:]
        for round in 1...400 {
            let replica = ["a", "b", "c"][Int(generator.next() % 3)]
            let report: ReplicaReport
            if !sent.isEmpty, generator.next() % 3 == 0 {
                report = sent[Int(generator.next() % UInt64(sent.count))]  // a retry or a late arrival
            } else {
                let sequence = (highest[replica] ?? 0) + 1 + generator.next() % 2
                report = Self.report(replica, sequence, end: Int64(round) * 1000, [3: generator.next() % 50])
                sent.append(report)
            }
            let outcome = ledger.apply(report)
            let latest = highest[report.replicaID]
            let wanted: ReportLedger.Outcome =
                latest == nil || report.sequence > latest! ? .applied : report.sequence == latest! ? .duplicate : .stale
            #expect(outcome == wanted, "seed \(seed), round \(round)")
            if outcome == .applied {
                highest[report.replicaID] = report.sequence
                expected[report.replicaID, default: 0] += report.versions[3]?.requests ?? 0
                stored.append(report)
            }
        }
        #expect(ledger.stats(for: 3, since: 0).requests == expected.values.reduce(0, +), "seed \(seed)")
        var rebuilt = ReportLedger()
        for report in stored { #expect(rebuilt.apply(report) == .applied, "seed \(seed)") }
        #expect(rebuilt == ledger, "seed \(seed)")
    }
}
