public import KaizenCore

/// NannyML's decision whether a probability column gains from isotonic calibration (`needs_calibration` with its
/// defaults: 10 bins, 10 splits).
///
/// The decision is never to calibrate when the targets hold one class or the scores already rank them almost
/// perfectly (ROC AUC above 0.999). Otherwise ten stratified 90/10 splits of the reference (scikit-learn's
/// `StratifiedShuffleSplit`, seed 42) each fit isotonic regression on the train rows and calibrate the test rows;
/// the test rows of all splits, stacked, give an expected calibration error over 10 equal-count bins before and
/// after calibration, and calibration is chosen when it lowers the error strictly.
///
/// The margin is often small (6e-4 on a breast-cancer model), so every step reproduces scikit-learn's draws and
/// NumPy's arithmetic. One step cannot be pinned: NumPy sorts probabilities for the bins with its unstable default
/// sort, whose order among equal values (calibrated values tie in blocks) depends on the CPU's sorting kernel. This
/// check sorts stably, which matched NumPy on every case tried; a tie group that straddles a bin edge with mixed
/// targets can still move the error, and rarely the decision.
public struct CalibrationCheck: Sendable, Hashable {
    /// Why the check decided without splitting, if it did.
    public enum Shortcut: String, Sendable, Hashable {
        /// The targets hold a single class.
        case singleClass = "single_class"
        /// The reference ROC AUC is above 0.999.
        case nearPerfectRanking = "near_perfect_ranking"
    }

    /// Whether calibration lowers the expected calibration error (strictly).
    public var needsCalibration: Bool
    /// The expected calibration error of the raw test probabilities; nil after a shortcut.
    public var errorBefore: Double?
    /// The expected calibration error of the calibrated test probabilities; nil after a shortcut.
    public var errorAfter: Double?
    /// The shortcut taken, if any.
    public var shortcut: Shortcut?

    /// Runs the check on binary targets (0 or 1) and the probability of class 1.
    public init(targets: [Int], probabilities: [Double]) throws(KaizenError) {
        guard targets.count == probabilities.count, !targets.isEmpty else {
            throw KaizenError.invalidParameter(
                "calibration check needs one probability per target (\(targets.count) targets, "
                    + "\(probabilities.count) probabilities)")
        }
        guard probabilities.allSatisfy(\.isFinite) else {
            throw KaizenError.invalidParameter("reference probabilities must be finite numbers")
        }
        if Set(targets).count == 1 {
            self.init(needsCalibration: false, shortcut: .singleClass)
            return
        }
        if ROCAUC.score(targets: targets, scores: probabilities) > 0.999 {
            self.init(needsCalibration: false, shortcut: .nearPerfectRanking)
            return
        }
        let splitter = StratifiedShuffleSplit(splitCount: 10, testShare: 0.1, seed: 42)
        var testTargets: [Double] = []
        var testProbabilities: [Double] = []
        var calibratedProbabilities: [Double] = []
        for split in try splitter.splits(of: targets) {
            let regression = try IsotonicRegression(
                x: split.train.map { probabilities[$0] }, y: split.train.map { Double(targets[$0]) })
            let test = split.test.map { probabilities[$0] }
            testTargets += split.test.map { Double(targets[$0]) }
            testProbabilities += test
            calibratedProbabilities += regression.predict(test)
        }
        let bins = try Self.binEdges(count: testProbabilities.count, binCount: 10)
        let before = Self.expectedCalibrationError(testTargets, testProbabilities, bins: bins)
        let after = Self.expectedCalibrationError(testTargets, calibratedProbabilities, bins: bins)
        self.init(needsCalibration: before > after, errorBefore: before, errorAfter: after)
    }

    private init(
        needsCalibration: Bool, errorBefore: Double? = nil, errorAfter: Double? = nil, shortcut: Shortcut? = nil
    ) {
        self.needsCalibration = needsCalibration
        self.errorBefore = errorBefore
        self.errorAfter = errorAfter
        self.shortcut = shortcut
    }

    /// NannyML's `_get_bin_index_edges`: bins of ⌊count / bins⌋ rows, the last one taking the rest; with 20 rows or
    /// fewer, count / 2 bins.
    package static func binEdges(count: Int, binCount: Int) throws(KaizenError) -> [Range<Int>] {
        var bins = binCount
        if count <= 2 * bins {
            bins = count / 2
            guard bins >= 2 else {
                throw KaizenError.invalidParameter("\(count) rows cannot make 2 calibration bins")
            }
        }
        let width = count / bins
        var edges = Array(stride(from: 0, through: count, by: width))
        edges[edges.count - 1] = count
        return zip(edges.dropLast(), edges.dropFirst()).map { $0..<$1 }
    }

    /// Σ over bins of (bin rows / rows) · |mean probability − mean target|, rows ordered by probability.
    package static func expectedCalibrationError(
        _ targets: [Double], _ probabilities: [Double], bins: [Range<Int>]
    ) -> Double {
        let order = StableOrder.ascending(probabilities)
        let sortedProbabilities = order.map { probabilities[$0] }
        let sortedTargets = order.map { targets[$0] }
        let terms = bins.map { bin in
            let weight = Double(bin.count) / Double(probabilities.count)
            let meanProbability = NumPyArithmetic.mean(Array(sortedProbabilities[bin]))
            let meanTarget = NumPyArithmetic.mean(Array(sortedTargets[bin]))
            return weight * abs(meanProbability - meanTarget)
        }
        return NumPyArithmetic.sum(terms)
    }
}
