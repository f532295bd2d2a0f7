import KaizenCore
import Testing

@testable import KaizenMonitoring

/// CBPE by hand on tiny data, and against NannyML on small binary and multiclass runs.
struct PerformanceEstimatorTests {
    static let tolerance = 1e-12

    /// Reference: 4 rows of each class, perfectly separable, so thresholds and sampling errors are easy to follow.
    static func handReference() throws -> ClassifierOutputs {
        try .binary(
            probabilities: [0.9, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.1], predictions: [1, 1, 1, 1, 0, 0, 0, 0],
            targets: [1, 1, 1, 0, 1, 0, 0, 0])
    }

    @Test func binaryEstimatesByHand() throws {
        let options = PerformanceEstimator.Options(chunking: .size(4), calibration: .never)
        let estimator = try PerformanceEstimator(reference: try Self.handReference(), options: options)
        let analysis = try ClassifierOutputs.binary(
            probabilities: [0.9, 0.8, 0.3, 0.1], predictions: [1, 1, 0, 0], targets: [1, 0, 0, 0])
        let chunk = try #require(try estimator.estimate(analysis).chunks.first)
        // TP = 0.9 + 0.8, FP = 0.1 + 0.2, FN = 0.3 + 0.1, TN = 0.7 + 0.9.
        let accuracy = try #require(chunk[.accuracy])
        #expect(abs(accuracy.estimated - 3.3 / 4) < Self.tolerance)
        #expect(accuracy.realized == 0.75)
        // Reference correctness is 6 of 8: std 0.433..., over √4.
        #expect(abs(accuracy.samplingError - (0.1875).squareRoot() / 2) < Self.tolerance)
        #expect(accuracy.upperBound == 1)
        #expect(abs(try #require(chunk[.precision]).estimated - 1.7 / 2) < Self.tolerance)
        #expect(abs(try #require(chunk[.recall]).estimated - 1.7 / 2.1) < Self.tolerance)
        #expect(abs(try #require(chunk[.f1]).estimated - 1.7 / (1.7 + 0.5 * 0.7)) < Self.tolerance)
        // Both reference chunks realize accuracy 0.75: thresholds collapse onto it, and 0.825 alerts.
        #expect(accuracy.lowerThreshold == 0.75 && accuracy.upperThreshold == 0.75)
        #expect(accuracy.alert)
    }

    @Test func analysisWithoutTargetsHasNoRealizedValues() throws {
        let options = PerformanceEstimator.Options(chunking: .size(2), calibration: .never)
        let estimator = try PerformanceEstimator(reference: try Self.handReference(), options: options)
        let estimate = try estimator.estimate(
            try .binary(probabilities: [0.9, 0.2, 0.6], predictions: [1, 0, 1]))
        #expect(estimate.chunks.map(\.rows) == [0..<2, 2..<3])
        #expect(estimate.chunks.allSatisfy { $0.metrics.allSatisfy { $0.realized.isNaN } })
        #expect(estimate.chunks.allSatisfy { $0.metrics.allSatisfy { !$0.estimated.isNaN } })
    }

    @Test func chunkingKeepsTheRemainder() throws {
        #expect(try Chunking.size(5).ranges(rowCount: 23) == [0..<5, 5..<10, 10..<15, 15..<20, 20..<23])
        #expect(try Chunking.automatic.ranges(rowCount: 105).count == 11)
        #expect(try Chunking.automatic.ranges(rowCount: 100).count == 10)
        #expect(try Chunking.size(50).ranges(rowCount: 30) == [0..<30])
        #expect(throws: KaizenError.self) { try Chunking.automatic.ranges(rowCount: 9) }
    }

    @Test func referenceNeedsTargets() throws {
        let outputs = try ClassifierOutputs.binary(probabilities: [0.2, 0.8], predictions: [0, 1])
        #expect(throws: KaizenError.self) { try PerformanceEstimator(reference: outputs) }
    }

    @Test func binaryLabelsMustBeZeroOrOne() {
        #expect(throws: KaizenError.self) {
            try ClassifierOutputs.binary(probabilities: [0.2], predictions: [2])
        }
    }

    @Test func binaryMatchesNannyML() throws {
        let v = NannyMLVectors.self
        let reference = try ClassifierOutputs.binary(
            probabilities: v.binaryReferenceProbabilities,
            predictions: v.binaryReferenceProbabilities.map { $0 >= 0.5 ? 1 : 0 }, targets: v.binaryReferenceTargets)
        let analysis = try ClassifierOutputs.binary(
            probabilities: v.binaryAnalysisProbabilities,
            predictions: v.binaryAnalysisProbabilities.map { $0 >= 0.5 ? 1 : 0 }, targets: v.binaryAnalysisTargets)
        let estimator = try PerformanceEstimator(
            reference: reference, options: .init(chunking: .size(10)))
        #expect(estimator.calibration.map(\.isCalibrated) == [v.binaryCalibrated])
        let estimate = try estimator.estimate(analysis)
        let expected: [PerformanceMetric: ([Double], [Double], [Double])] = [
            .accuracy: (v.binaryEstimatedAccuracy, v.binarySamplingErrorAccuracy, v.binaryThresholdsAccuracy),
            .precision: (v.binaryEstimatedPrecision, v.binarySamplingErrorPrecision, v.binaryThresholdsPrecision),
            .recall: (v.binaryEstimatedRecall, v.binarySamplingErrorRecall, v.binaryThresholdsRecall),
            .f1: (v.binaryEstimatedF1, v.binarySamplingErrorF1, v.binaryThresholdsF1),
            .rocAUC: (v.binaryEstimatedRocAUC, v.binarySamplingErrorRocAUC, v.binaryThresholdsRocAUC),
        ]
        for (metric, (values, errors, thresholds)) in expected {
            let records = estimate.chunks.compactMap { $0[metric] }
            #expect(records.map(\.estimated) == values, "\(metric)")
            #expect(records.map(\.samplingError) == errors, "\(metric)")
            #expect(records.allSatisfy { [$0.lowerThreshold, $0.upperThreshold] == thresholds }, "\(metric)")
        }
    }

    @Test func multiclassMatchesNannyML() throws {
        let v = NannyMLVectors.self
        func outputs(_ columns: [[Double]], _ targets: [Int]) throws -> ClassifierOutputs {
            let predictions = columns[0].indices.map { row in
                (0..<3).max { columns[$0][row] < columns[$1][row] } ?? 0
            }
            return try .multiclass(
                classes: ["0", "1", "2"], probabilities: columns, predictions: predictions, targets: targets)
        }
        let estimator = try PerformanceEstimator(
            reference: try outputs(v.multiclassReferenceProbabilities, v.multiclassReferenceTargets),
            options: .init(chunking: .size(15)))
        #expect(estimator.calibration.map(\.isCalibrated) == v.multiclassCalibrated)
        let estimate = try estimator.estimate(
            try outputs(v.multiclassAnalysisProbabilities, v.multiclassAnalysisTargets))
        let expected: [PerformanceMetric: ([Double], [Double])] = [
            .accuracy: (v.multiclassEstimatedAccuracy, v.multiclassSamplingErrorAccuracy),
            .precision: (v.multiclassEstimatedPrecision, v.multiclassSamplingErrorPrecision),
            .recall: (v.multiclassEstimatedRecall, v.multiclassSamplingErrorRecall),
            .f1: (v.multiclassEstimatedF1, v.multiclassSamplingErrorF1),
            .rocAUC: (v.multiclassEstimatedRocAUC, v.multiclassSamplingErrorRocAUC),
        ]
        for (metric, (values, errors)) in expected {
            let records = estimate.chunks.compactMap { $0[metric] }
            #expect(records.map(\.estimated) == values, "\(metric)")
            #expect(records.map(\.samplingError) == errors, "\(metric)")
        }
    }

    @Test func multiclassNeedsThreeClasses() {
        #expect(throws: KaizenError.self) {
            try ClassifierOutputs.multiclass(
                classes: ["a", "b"], probabilities: [[0.5], [0.5]], predictions: [0], targets: [0])
        }
    }
}
