import GRDB
import KaizenTracking

/// Translates parsed filter and order clauses into SQL over the tracking schema. Keys and values are
/// always bound as arguments; only column names from fixed lists are spliced into the text.
enum SQLFilter {
    static let runColumns: [String: String] = [
        "run_id": "r.run_uuid", "run_name": "r.name", "status": "r.status", "user_id": "r.user_id",
        "artifact_uri": "r.artifact_uri", "lifecycle_stage": "r.lifecycle_stage", "start_time": "r.start_time",
        "end_time": "r.end_time", "experiment_id": "r.experiment_id",
    ]

    /// `column op ?` for one clause's operator, with the bound values.
    static func comparison(_ column: String, _ clause: FilterClause) -> (String, [any DatabaseValueConvertible]) {
        switch (clause.op, clause.value) {
        case (.like, .string(let pattern)): return ("\(column) LIKE ?", [pattern])
        case (.iLike, .string(let pattern)): return ("lower(\(column)) LIKE lower(?)", [pattern])
        case (.isIn, .list(let items)):
            return ("\(column) IN (\(RunLoader.placeholders(items.count)))", items)
        case (.notIn, .list(let items)):
            return ("\(column) NOT IN (\(RunLoader.placeholders(items.count)))", items)
        case (_, .string(let string)): return ("\(column) \(clause.op.rawValue) ?", [string])
        case (_, .number(let number)): return ("\(column) \(clause.op.rawValue) ?", [number])
        default: return ("0", [])
        }
    }

    /// A condition on run `r` for a run filter, with its arguments in the order of its placeholders; it can be
    /// ANDed with other conditions as it is.
    ///
    /// Only an `OR` comes in parentheses: SQL binds `AND` tighter too, and SQLite's parser (3.40, with its
    /// default stack) refuses a condition nested about 16 deep, so the SQL nests no deeper than the filter's
    /// parentheses (at most 10) and one more.
    static func runCondition(_ expression: FilterExpression) -> (String, [any DatabaseValueConvertible]) {
        switch expression {
        case .clause(let clause):
            return runCondition(clause)
        case .and(let operands):
            return runCondition(joining: operands, with: "AND", empty: "1")
        case .or(let operands):
            let (condition, arguments) = runCondition(joining: operands, with: "OR", empty: "0")
            return ("(\(condition))", arguments)
        }
    }

    private static func runCondition(
        joining operands: [FilterExpression], with keyword: String, empty: String
    ) -> (String, [any DatabaseValueConvertible]) {
        guard !operands.isEmpty else { return (empty, []) }
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        for operand in operands {
            let (condition, values) = runCondition(operand)
            conditions.append(condition)
            arguments.append(contentsOf: values)
        }
        return (conditions.joined(separator: " \(keyword) "), arguments)
    }

    /// A condition on run `r` for one clause of a run search.
    static func runCondition(_ clause: FilterClause) -> (String, [any DatabaseValueConvertible]) {
        switch clause.entity {
        case .metric:
            let base = "FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = ?"
            switch clause.op {
            case .isNull: return ("NOT EXISTS (SELECT 1 \(base))", [clause.key])
            case .isNotNull: return ("EXISTS (SELECT 1 \(base))", [clause.key])
            case .notEqual:
                return (
                    "EXISTS (SELECT 1 \(base) AND (m.is_nan = 1 OR m.value != ?))",
                    [clause.key, clause.numberValue ?? 0]
                )
            default:
                let (test, values) = comparison("m.value", clause)
                return ("EXISTS (SELECT 1 \(base) AND m.is_nan = 0 AND \(test))", [clause.key] + values)
            }
        case .param, .tag:
            let table = clause.entity == .param ? "params" : "tags"
            let base = "FROM \(table) p WHERE p.run_uuid = r.run_uuid AND p.key = ?"
            switch clause.op {
            case .isNull: return ("NOT EXISTS (SELECT 1 \(base))", [clause.key])
            case .isNotNull: return ("EXISTS (SELECT 1 \(base))", [clause.key])
            default:
                let (test, values) = comparison("p.value", clause)
                return ("EXISTS (SELECT 1 \(base) AND \(test))", [clause.key] + values)
            }
        case .attribute:
            return comparison(runColumns[clause.key] ?? "NULL", clause)
        case .dataset:
            let column = clause.key == "context" ? "t.value" : "d.\(clause.key == "digest" ? "digest" : "name")"
            let (test, values) = comparison(column, clause)
            let contextJoin =
                clause.key == "context"
                ? "JOIN input_tags t ON t.input_uuid = i.input_uuid AND t.key = 'mlflow.data.context'" : ""
            return (
                """
                EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id \(contextJoin)
                        WHERE i.destination_type = 'RUN' AND i.destination_id = r.run_uuid
                          AND i.source_type = 'DATASET' AND \(test))
                """, values
            )
        }
    }

    /// The runs that meet `expression`, as a statement over one index range that selects `run_uuid` (each run at
    /// most once), when the expression is a comparison such a range answers exactly: `=` on a param or tag, or a
    /// comparison of a metric's last value with a number. Nil for anything else.
    static func runSource(_ expression: FilterExpression) -> (String, [any DatabaseValueConvertible])? {
        guard case .clause(let clause) = expression else { return nil }
        switch (clause.entity, clause.op, clause.value) {
        case (.param, .equal, .string(let value)), (.tag, .equal, .string(let value)):
            let table = clause.entity == .param ? "params" : "tags"
            return ("SELECT run_uuid FROM \(table) WHERE key = ? AND value = ?", [clause.key, value])
        case (.metric, .less, .number), (.metric, .lessOrEqual, .number), (.metric, .greater, .number),
            (.metric, .greaterOrEqual, .number), (.metric, .equal, .number):
            let (test, values) = comparison("value", clause)
            return (
                "SELECT run_uuid FROM latest_metrics WHERE key = ? AND is_nan = 0 AND \(test)", [clause.key] + values
            )
        default:
            return nil
        }
    }

    /// The expression a run search sorts on for one order clause, and a rank expression that puts
    /// values first (0), NaN next (1) and missing values last (2). Both take the same arguments.
    static func runOrderExpression(_ clause: OrderClause) -> (String, String, [any DatabaseValueConvertible]) {
        switch clause.entity {
        case .metric:
            return metricOrderExpression(clause)
        case .param, .tag:
            let table = clause.entity == .param ? "params" : "tags"
            let expression = "(SELECT p.value FROM \(table) p WHERE p.run_uuid = r.run_uuid AND p.key = ?)"
            return (expression, "(\(expression) IS NULL) * 2", [clause.key])
        case .attribute, .dataset:
            let column = runColumns[clause.key] ?? "r.start_time"
            return (column, "(\(column) IS NULL) * 2", [])
        }
    }

    /// The sort expression and rank of a metric, by the figure the clause names (`MetricAggregate`).
    static func metricOrderExpression(_ clause: OrderClause) -> (String, String, [any DatabaseValueConvertible]) {
        let summaries = "FROM metric_summaries s WHERE s.run_uuid = r.run_uuid AND s.key = ?"
        // A run whose values are all NaN ranks 1 (value_count 0); a run without the metric ranks 2.
        let summaryRank = "ifnull((SELECT s.value_count = 0 \(summaries)), 2)"
        switch clause.summary {
        case .last:
            let source = "FROM latest_metrics m WHERE m.run_uuid = r.run_uuid AND m.key = ?"
            return (
                "(SELECT CASE WHEN m.is_nan = 1 THEN NULL ELSE m.value END \(source))",
                "ifnull((SELECT m.is_nan \(source)), 2)", [clause.key]
            )
        case .minimum: return ("(SELECT s.min_value \(summaries))", summaryRank, [clause.key])
        case .maximum: return ("(SELECT s.max_value \(summaries))", summaryRank, [clause.key])
        case .mean:
            return ("(SELECT s.sum_value / nullif(s.value_count, 0) \(summaries))", summaryRank, [clause.key])
        case .atStep(let step):
            let source = """
                FROM metrics m WHERE m.run_uuid = r.run_uuid AND m.key = ? AND m.step = ?
                ORDER BY m.timestamp DESC, m.value DESC LIMIT 1
                """
            return (
                "(SELECT CASE WHEN m.is_nan = 1 THEN NULL ELSE m.value END \(source))",
                "ifnull((SELECT m.is_nan \(source)), 2)", [clause.key, step]
            )
        }
    }

    static let experimentColumns: [String: String] = [
        "name": "e.name", "experiment_id": "CAST(e.experiment_id AS TEXT)", "creation_time": "e.creation_time",
        "last_update_time": "e.last_update_time",
    ]

    /// A condition on experiment `e` for one clause of an experiment search.
    static func experimentCondition(_ clause: FilterClause) -> (String, [any DatabaseValueConvertible]) {
        if clause.entity == .tag {
            let (test, values) = comparison("t.value", clause)
            return (
                "EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ? AND \(test))",
                [clause.key] + values
            )
        }
        return comparison(experimentColumns[clause.key] ?? "NULL", clause)
    }
}
