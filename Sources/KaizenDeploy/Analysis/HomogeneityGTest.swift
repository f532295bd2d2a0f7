import Foundation
import KaizenMonitoring

/// The G-test of homogeneity between two versions' prediction counts: could both samples come from one
/// distribution? `scipy.stats.chi2_contingency(table, correction=False, lambda_="log-likelihood")` over the 2×k table
/// of aligned cells, cells empty on both sides left out.
///
/// With equal sample sizes G is 4·n·ln 2 times the Jensen–Shannon divergence (base 2), so this asks whether the
/// distance the divergence check measured is more than two finite samples of one distribution would show by chance.
struct HomogeneityGTest: Sendable, Equatable {
    /// G = 2 Σ O·ln(O / E) over both rows, E from the row and column totals.
    let statistic: Double
    /// Cells with a count on either side, minus one.
    let degreesOfFreedom: Int
    /// P(χ²(df) ≥ G) under H0 (one distribution); 1 when there is a single cell, where no difference can show.
    let pValue: Double

    /// Nil unless both sides hold at least one prediction.
    init?(candidate: [Double], stable: [Double]) {
        let cells = zip(candidate, stable).filter { $0.0 > 0 || $0.1 > 0 }
        let candidateTotal = cells.reduce(0) { $0 + $1.0 }
        let stableTotal = cells.reduce(0) { $0 + $1.1 }
        guard candidateTotal > 0, stableTotal > 0 else { return nil }
        let total = candidateTotal + stableTotal
        func term(_ observed: Double, _ expected: Double) -> Double {
            observed > 0 ? observed * log(observed / expected) : 0
        }
        statistic =
            2
            * cells.reduce(0) { sum, cell in
                let column = cell.0 + cell.1
                return sum + term(cell.0, column * candidateTotal / total) + term(cell.1, column * stableTotal / total)
            }
        degreesOfFreedom = cells.count - 1
        pValue =
            degreesOfFreedom == 0
            ? 1 : SpecialFunctions.chiSquareSurvival(max(statistic, 0), degreesOfFreedom: Double(degreesOfFreedom))
    }
}
