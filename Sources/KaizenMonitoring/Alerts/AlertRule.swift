import Foundation
public import KaizenCore

/// A condition on a report window, as users write it: `accuracy < 0.9`, `missing_share(age) > 0.05`,
/// `drift_score(income) < 0.01`, `dataset_drift`, `drift_share >= 0.5`, `rows < 100`. It holds when the window has the
/// figure and the comparison is true; a window without the figure (no feedback yet, no reference) never fires it.
public struct AlertRule: Sendable, Equatable {
    /// The figures a rule can watch.
    public enum Metric: String, Sendable, CaseIterable {
        case datasetDrift = "dataset_drift"
        case driftShare = "drift_share"
        case driftedColumns = "drifted_columns"
        /// A column's drift score (a p-value or a distance, as its method gives it); needs a column.
        case driftScore = "drift_score"
        /// Whether a column drifted (1) or not (0); needs a column.
        case columnDrift = "column_drift"
        /// A column's share of missing values; needs a column.
        case missingShare = "missing_share"
        case rows
        /// Requests refused before scoring, and their share of all the window's requests.
        case refusedRequests = "refused_requests"
        case refusedShare = "refused_share"
        case accuracy
        case precisionMacro = "precision_macro"
        case recallMacro = "recall_macro"
        case f1Macro = "f1_macro"
        case rocAUC = "roc_auc"
        case mae
        case rmse
        case r2
        /// Accuracy estimated without labels, and how far it fell below the performance reference's.
        case estimatedAccuracy = "estimated_accuracy"
        case estimatedAccuracyDrop = "estimated_accuracy_drop"

        var needsColumn: Bool { [.driftScore, .columnDrift, .missingShare].contains(self) }
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
        case equal = "=="
        case notEqual = "!="

        func holds(_ value: Double, _ threshold: Double) -> Bool {
            switch self {
            case .less: value < threshold
            case .lessOrEqual: value <= threshold
            case .greater: value > threshold
            case .greaterOrEqual: value >= threshold
            case .equal: value == threshold
            case .notEqual: value != threshold
            }
        }
    }

    /// The rule's name (default: its condition), which alerts carry.
    public var name: String
    public var metric: Metric
    public var column: String?
    public var comparison: Comparison
    public var threshold: Double

    /// The condition as text, in the grammar it was parsed from.
    public var condition: String {
        let figure = metric.rawValue + (column.map { "(\($0))" } ?? "")
        return "\(figure) \(comparison.rawValue) \(Self.number(threshold))"
    }

    static func number(_ value: Double) -> String {
        value.labelText
    }

    /// Parses `metric[(column)] [op number]`; a bare `dataset_drift` or `column_drift(c)` means `== 1`.
    public init(condition text: String, name: String? = nil) throws(KaizenError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 512 else {
            throw .invalidParameter("A rule's condition must be 1 to 512 characters")
        }
        var rest = Substring(trimmed)
        let nameEnd = rest.firstIndex { !($0.isLetter || $0 == "_") } ?? rest.endIndex
        let metricName = String(rest[..<nameEnd])
        rest = rest[nameEnd...].drop { $0 == " " }
        guard let metric = Metric(rawValue: metricName) else {
            throw .invalidParameter(
                "Unknown figure '\(metricName)' in rule '\(trimmed)'; rules watch "
                    + Metric.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var column: String?
        if rest.first == "(" {
            guard let close = rest.lastIndex(of: ")") else {
                throw .invalidParameter("Rule '\(trimmed)': '(' without ')'")
            }
            column = String(rest[rest.index(after: rest.startIndex)..<close]).trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: close)...].drop { $0 == " " }
        }
        guard metric.needsColumn == (column != nil), column.map({ !$0.isEmpty }) ?? true else {
            throw .invalidParameter(
                metric.needsColumn
                    ? "Rule '\(trimmed)': \(metric.rawValue) needs a column, as \(metric.rawValue)(age)"
                    : "Rule '\(trimmed)': \(metric.rawValue) takes no column")
        }
        var comparison = Comparison.equal
        var threshold = 1.0
        if !rest.isEmpty {
            let operatorText = String(rest.prefix { "<>=!".contains($0) })
            guard let parsed = Comparison(rawValue: operatorText) else {
                throw .invalidParameter("Rule '\(trimmed)': expected <, <=, >, >=, == or != after the figure")
            }
            let numberText = rest.dropFirst(operatorText.count).trimmingCharacters(in: .whitespaces)
            guard let number = Double(numberText), number.isFinite else {
                throw .invalidParameter("Rule '\(trimmed)': '\(numberText)' is not a number")
            }
            comparison = parsed
            threshold = number
        } else if ![.datasetDrift, .columnDrift].contains(metric) {
            throw .invalidParameter("Rule '\(trimmed)': compare the figure with a number, as accuracy < 0.9")
        }
        self.metric = metric
        self.column = column
        self.comparison = comparison
        self.threshold = threshold
        self.name = name ?? ""
        if self.name.isEmpty { self.name = condition }
        guard self.name.utf8.count <= 256 else { throw .invalidParameter("A rule's name is at most 256 bytes") }
    }

    /// The window's figure this rule watches; nil when the window does not have it.
    public func value(in window: MonitorReport.Window) -> Double? {
        let drifted = { (name: String) in window.drift?.columns.first { $0.name == name } }
        switch metric {
        case .datasetDrift: return window.drift.map { $0.datasetDrift ? 1 : 0 }
        case .driftShare: return window.drift.map(\.driftedShare)
        case .driftedColumns: return window.drift.map { Double($0.driftedCount) }
        case .driftScore: return column.flatMap(drifted)?.score
        case .columnDrift: return column.flatMap(drifted).flatMap { $0.method == nil ? nil : ($0.drifted ? 1 : 0) }
        case .missingShare: return window.missingShare.first { $0.column == column }?.share
        case .rows: return Double(window.rows)
        case .refusedRequests: return Double(window.refused)
        case .refusedShare: return window.refusedShare
        case .accuracy: return window.classification?.accuracy
        case .precisionMacro: return window.classification?.macroPrecision
        case .recallMacro: return window.classification?.macroRecall
        case .f1Macro: return window.classification?.macroF1
        case .rocAUC: return window.classification?.rocAUC
        case .mae: return window.regression?.meanAbsoluteError
        case .rmse: return window.regression?.rootMeanSquaredError
        case .r2: return window.regression?.r2
        case .estimatedAccuracy: return window.estimated?.accuracy
        case .estimatedAccuracyDrop: return window.estimated?.drop
        }
    }

    /// The figure, when the rule holds for the window.
    public func firing(in window: MonitorReport.Window) -> Double? {
        guard let value = value(in: window), !value.isNaN, comparison.holds(value, threshold) else { return nil }
        return value
    }

    public var json: JSONValue {
        .object([("name", .string(name)), ("condition", .string(condition))])
    }
}
