import Foundation

/// How far apart two versions' predictions are: Jensen–Shannon distance and population stability index over the
/// cells of their sketches.
///
/// The cells are the union of class labels (sorted), then the numeric bins (the shorter list padded with zeros), so
/// a sketch with classes and bins, or a classifier against a regressor, still compares cell by cell. The figures
/// match SciPy and numpy (`interop/deploy/make_analysis_fixtures.py`).
struct PredictionDistance: Sendable, Equatable {
    /// The proportion an empty cell counts as in PSI (as Evidently does), without renormalizing the rest; PSI is
    /// infinite otherwise. Jensen–Shannon needs no such floor.
    static let psiEpsilon = 1e-4

    /// `scipy.spatial.distance.jensenshannon(c, s, base=2)`: in [0, 1], 0 for identical proportions.
    let jsDistance: Double
    /// Σ (c − s)·ln(c/s) over proportions, empty cells read as `psiEpsilon`.
    let psi: Double

    /// Nil unless both sketches hold at least one prediction.
    init?(candidate: PredictionSketch, stable: PredictionSketch) {
        let (candidateCells, stableCells) = Self.alignedCells(candidate, stable)
        self.init(candidateCells: candidateCells, stableCells: stableCells)
    }

    /// From counts already aligned cell by cell (`alignedCells`); nil unless both sides count something.
    init?(candidateCells: [Double], stableCells: [Double]) {
        let candidateTotal = candidateCells.reduce(0, +)
        let stableTotal = stableCells.reduce(0, +)
        guard candidateTotal > 0, stableTotal > 0 else { return nil }
        let c = candidateCells.map { $0 / candidateTotal }
        let s = stableCells.map { $0 / stableTotal }
        jsDistance = Self.jensenShannonDistance(c, s)
        psi = zip(c, s).reduce(0) { sum, shares in
            let candidateShare = shares.0 == 0 ? Self.psiEpsilon : shares.0
            let stableShare = shares.1 == 0 ? Self.psiEpsilon : shares.1
            return sum + (candidateShare - stableShare) * log(candidateShare / stableShare)
        }
    }

    static func alignedCells(_ candidate: PredictionSketch, _ stable: PredictionSketch) -> ([Double], [Double]) {
        let labels = Set(candidate.classes.keys).union(stable.classes.keys).sorted()
        let width = max(candidate.bins.count, stable.bins.count)
        func cells(_ sketch: PredictionSketch) -> [Double] {
            labels.map { Double(sketch.classes[$0] ?? 0) }
                + (0..<width).map { $0 < sketch.bins.count ? Double(sketch.bins[$0]) : 0 }
        }
        return (cells(candidate), cells(stable))
    }

    /// Proportions in, as SciPy computes it: the two relative entropies to the mixture, summed apart, over ln 2.
    static func jensenShannonDistance(_ p: [Double], _ q: [Double]) -> Double {
        let m = zip(p, q).map { ($0 + $1) / 2 }
        let left = zip(p, m).reduce(0) { $0 + relativeEntropy($1.0, $1.1) }
        let right = zip(q, m).reduce(0) { $0 + relativeEntropy($1.0, $1.1) }
        let divergence = (left + right) / log(2)
        // Rounding can leave a hair below 0 for nearly identical inputs, where SciPy would answer NaN.
        return (max(divergence, 0) / 2).squareRoot()
    }

    /// `scipy.special.rel_entr` as SciPy's xsf computes it: x·ln(x/y), 0 where x is 0, and x·log1p((x − y)/y) when x/y
    /// is within (0.5, 2). That branch matters: for nearly identical distributions the divergence (~1e-11) is a sum of
    /// terms of ~1e-6, so the terms' rounding shows in the result's sixth digit. y is the mixture of x and another
    /// share, so it is positive when x is.
    private static func relativeEntropy(_ x: Double, _ y: Double) -> Double {
        guard x > 0 else { return 0 }
        let ratio = x / y
        return ratio > 0.5 && ratio < 2 ? x * log1p((x - y) / y) : x * log(ratio)
    }
}
