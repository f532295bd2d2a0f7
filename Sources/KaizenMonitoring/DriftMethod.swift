/// A statistical test or distance that decides whether a column drifted, with the defaults of the drift reports
/// data scientists already run (Evidently's names, display names, thresholds and decisions).
public enum DriftMethod: String, Sendable, CaseIterable, Codable {
    /// Two-sample Kolmogorov–Smirnov test; drift when p ≤ threshold. Numeric columns.
    case ks
    /// First Wasserstein distance divided by the reference's standard deviation; drift when ≥ threshold.
    case wasserstein
    /// Pearson's chi-square test of the current counts against the reference's proportions; drift when
    /// p < threshold. Categorical columns.
    case chisquare
    /// Two-proportion Z-test on a two-valued column; drift when p < threshold. Categorical columns.
    case z
    /// Jensen–Shannon distance (natural logarithm) of the two distributions; drift when ≥ threshold.
    case jensenshannon
    /// Population stability index; drift when ≥ threshold.
    case psi
    /// Kullback–Leibler divergence of the reference from the current distribution; drift when ≥ threshold.
    case klDiv = "kl_div"
    /// Hellinger distance; drift when ≥ threshold.
    case hellinger

    /// The name reports show.
    public var displayName: String {
        switch self {
        case .ks: "K-S p_value"
        case .wasserstein: "Wasserstein distance (normed)"
        case .chisquare: "chi-square p_value"
        case .z: "Z-test p_value"
        case .jensenshannon: "Jensen-Shannon distance"
        case .psi: "PSI"
        case .klDiv: "Kullback-Leibler divergence"
        case .hellinger: "Hellinger distance"
        }
    }

    /// The threshold used when none is given.
    public var defaultThreshold: Double {
        switch self {
        case .ks, .chisquare, .z: 0.05
        case .wasserstein, .jensenshannon, .psi, .klDiv, .hellinger: 0.1
        }
    }

    /// Whether the score is a p-value (small means drift) rather than a distance (large means drift).
    public var scoresPValue: Bool {
        switch self {
        case .ks, .chisquare, .z: true
        default: false
        }
    }

    /// Whether a score means drift at `threshold`.
    public func drifted(score: Double, threshold: Double) -> Bool {
        switch self {
        case .ks: score <= threshold
        case .chisquare, .z: score < threshold
        default: score >= threshold
        }
    }

    /// Whether the method applies to a column of this kind when a user chooses it.
    public func applies(to kind: ColumnKind) -> Bool {
        switch self {
        case .ks, .wasserstein: kind == .numerical
        case .chisquare, .z: kind == .categorical
        default: kind == .numerical || kind == .categorical
        }
    }

    /// The method Evidently chooses when none is given, from the column's kind, the reference's number of values
    /// and the number of distinct values in both samples together.
    public static func `default`(for kind: ColumnKind, referenceCount: Int, distinctValues: Int) -> DriftMethod {
        if referenceCount <= 1000 {
            if kind == .numerical && distinctValues > 5 { return .ks }
            return distinctValues > 2 ? .chisquare : .z
        }
        if kind == .numerical && distinctValues > 5 { return .wasserstein }
        return .jensenshannon
    }
}

/// How a column is compared: as numbers on a line, or as categories.
public enum ColumnKind: String, Sendable, Codable {
    case numerical
    case categorical
    /// Free text (mostly distinct strings): not compared by the drift methods.
    case text

    /// The kind Evidently infers from a column of the current data: floats are numerical; integers are
    /// categorical up to 10 distinct values; booleans are categorical; strings are text when more than half of the
    /// present values are distinct, categorical otherwise.
    public static func inferred(storage: DataColumn.StorageKind, distinct: Int, present: Int) -> ColumnKind {
        switch storage {
        case .boolean: .categorical
        case .float: .numerical
        case .integer: distinct <= 10 ? .categorical : .numerical
        case .text: Double(distinct) > Double(present) * 0.5 ? .text : .categorical
        }
    }
}
