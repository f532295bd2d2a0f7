import KaizenCore
import KaizenTracking
import NIOCore
import Testing

@testable import KaizenPostgres

struct RunRecordTests {
    let run = Run(
        info: RunInfo(
            runID: "0123456789abcdef0123456789abcdef", experimentID: "42", runName: "naïve run 🚀", userID: "",
            status: .finished, startTime: -5, endTime: nil, artifactURI: "s3://bucket/42/runs/x y",
            lifecycleStage: .deleted),
        metrics: [
            Metric(key: "loss", value: .nan, timestamp: 1, step: -1),
            Metric(key: "neg_zero", value: -0.0, timestamp: .max, step: .min),
            Metric(key: "big", value: .greatestFiniteMagnitude, timestamp: 0),
        ],
        params: [Param(key: "a", value: ""), Param(key: "long", value: String(repeating: "é", count: 3000))],
        tags: [Tag(key: "mlflow.runName", value: "naïve run 🚀")],
        modelOutputs: [ModelOutput(modelID: "m-1", step: 7)])

    @Test func aRunComesBackWhole() throws {
        let decoded = try #require(RunRecord.decode(RunRecord.encode(run)))
        #expect(decoded == run)
        #expect(decoded.metrics[1].value.sign == .minus)
        var ended = run
        ended.info.endTime = 0
        ended.params = []
        ended.modelOutputs = []
        #expect(RunRecord.decode(RunRecord.encode(ended)) == ended)
    }

    /// Bytes that are not a whole record of this format are no run at all (the search loads the run from its rows).
    @Test func damagedBytesAreNoRun() {
        let bytes = RunRecord.encode(run)
        #expect(RunRecord.decode(ByteBuffer()) == nil)
        for cut in [1, 10, bytes.readableBytes / 2, bytes.readableBytes - 1] {
            #expect(RunRecord.decode(bytes.getSlice(at: 0, length: cut)!) == nil, "cut at \(cut)")
        }
        var longer = bytes
        longer.writeInteger(UInt8(0))
        #expect(RunRecord.decode(longer) == nil)
        var otherFormat = bytes
        otherFormat.setInteger(UInt8(2), at: 0)
        #expect(RunRecord.decode(otherFormat) == nil)
        // A metric count far larger than the bytes could hold.
        var bare = run
        bare.metrics = []
        bare.params = []
        bare.tags = []
        bare.modelOutputs = []
        var huge = RunRecord.encode(bare)
        huge.setInteger(Int32.max, at: huge.writerIndex - 16)
        #expect(RunRecord.decode(huge) == nil)
    }
}
