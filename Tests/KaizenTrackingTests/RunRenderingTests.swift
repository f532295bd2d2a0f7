import KaizenTracking
import Testing

struct RunRenderingTests {
    /// The version follows what a rendering writes, not which closure writes it: a server whose rendering of runs
    /// changed does not read back what an older one kept.
    @Test func theVersionFollowsWhatIsWritten() {
        let plain = RunRendering { Array($0.info.runID.utf8) }
        let same = RunRendering { run in Array(run.info.runID.utf8) }
        let withName = RunRendering { Array(($0.info.runID + $0.info.runName).utf8) }
        let withMetrics = RunRendering { Array(($0.info.runID + "\($0.metrics)").utf8) }
        let withInputs = RunRendering { Array(($0.info.runID + "\($0.datasetInputs)").utf8) }
        #expect(plain.version == same.version)
        #expect(Set([plain, withName, withMetrics, withInputs].map(\.version)).count == 4)
        #expect(plain.version.count == 24)
        #expect(plain.version.allSatisfy { $0.isHexDigit && !$0.isUppercase })
    }
}
