import Testing

@testable import KaizenMonitoring

/// NannyML's calibration decision: its shortcuts by hand, the full check against `needs_calibration`.
struct CalibrationCheckTests {
    @Test func singleClassNeverCalibrates() throws {
        let check = try CalibrationCheck(targets: [1, 1, 1], probabilities: [0.2, 0.5, 0.9])
        #expect(!check.needsCalibration)
        #expect(check.shortcut == .singleClass)
    }

    @Test func nearPerfectRankingNeverCalibrates() throws {
        // Perfectly ranked but badly calibrated scores: NannyML skips the check when the ROC AUC exceeds 0.999.
        let probabilities = (0..<40).map { Double($0) / 100 }
        let targets = (0..<40).map { $0 < 20 ? 0 : 1 }
        let check = try CalibrationCheck(targets: targets, probabilities: probabilities)
        #expect(!check.needsCalibration)
        #expect(check.shortcut == .nearPerfectRanking)
    }

    @Test func decisionMatchesNannyML() throws {
        let check = try CalibrationCheck(
            targets: NannyMLVectors.calibrationTargets, probabilities: NannyMLVectors.calibrationProbabilities)
        #expect(check.needsCalibration == NannyMLVectors.calibrationDecision)
        #expect(check.shortcut == nil)
        let before = try #require(check.errorBefore)
        let after = try #require(check.errorAfter)
        #expect((before > after) == check.needsCalibration)
    }

    @Test func binsFollowNannyML() throws {
        #expect(try CalibrationCheck.binEdges(count: 60, binCount: 10).map(\.count) == Array(repeating: 6, count: 10))
        // 105 rows: 10 bins of 10, the last one taking the 5 left over.
        let wide = try CalibrationCheck.binEdges(count: 105, binCount: 10)
        #expect(wide.count == 10 && wide.last == 90..<105)
        // 12 rows: 6 bins of 2.
        #expect(try CalibrationCheck.binEdges(count: 12, binCount: 10).count == 6)
    }

    @Test func expectedCalibrationErrorByHand() {
        // Two bins of two rows: |0.15 − 0.5| and |0.85 − 0.5|, each weighted ½.
        let error = CalibrationCheck.expectedCalibrationError(
            [0, 1, 1, 0], [0.1, 0.2, 0.8, 0.9], bins: [0..<2, 2..<4])
        #expect(abs(error - 0.35) < 1e-15)
    }
}
