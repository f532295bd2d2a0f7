import Foundation

/// A one-sided two-proportion z-test with pooled proportion: is the candidate's rate of events higher than stable's?
///
/// Matches `scipy.stats.norm.sf` applied to the pooled z statistic (`interop/deploy/make_analysis_fixtures.py`).
/// When the pooled proportion is 0 or 1 the standard error is 0 and both rates are equal; the test then reports
/// z = 0 and p = 1: no evidence of a difference, and no division by zero.
struct TwoProportionZTest: Sendable, Equatable {
    let candidateRate: Double
    let stableRate: Double
    let z: Double
    /// P(Z ≥ z) under H0 (equal rates): small when the candidate's rate is higher.
    let pValue: Double

    /// Counts with more events than trials are read as all trials; both trial counts must be positive.
    init(candidateEvents: UInt64, candidateTrials: UInt64, stableEvents: UInt64, stableTrials: UInt64) {
        // Counts below 2^53 convert exactly, so these are the quotients SciPy's side computes from integers.
        let candidateEvents = Double(min(candidateEvents, candidateTrials))
        let stableEvents = Double(min(stableEvents, stableTrials))
        let candidateTrials = Double(candidateTrials)
        let stableTrials = Double(stableTrials)
        candidateRate = candidateEvents / candidateTrials
        stableRate = stableEvents / stableTrials
        let pooled = (candidateEvents + stableEvents) / (candidateTrials + stableTrials)
        let standardError = (pooled * (1 - pooled) * (1 / candidateTrials + 1 / stableTrials)).squareRoot()
        guard standardError > 0, standardError.isFinite else {
            z = 0
            pValue = 1
            return
        }
        z = (candidateRate - stableRate) / standardError
        pValue = Self.normalSurvival(z)
    }

    /// The standard normal's survival function, P(Z > z). Through `erfc`, which keeps its relative accuracy far into
    /// the upper tail (1 − Φ(z) would round to 0 from z ≈ 8.3).
    static func normalSurvival(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }
}
