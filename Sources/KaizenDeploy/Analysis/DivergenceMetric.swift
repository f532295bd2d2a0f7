/// The distance between two versions' predictions that decides the `prediction_divergence` check. Both are always
/// reported as figures; this picks the one compared with its threshold.
public enum DivergenceMetric: String, Sendable, Equatable, CaseIterable {
    /// Jensen–Shannon distance, base 2: in [0, 1], symmetric, finite even when a label is on one side only.
    case jsDistance = "js_distance"
    /// Population stability index: Σ (c − s)·ln(c/s) over proportions, empty cells counted as 1e-4.
    case psi
}
