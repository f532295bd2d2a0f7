import KaizenTracking

/// Filter and order clauses as PostgreSQL over the tracking schema, as `SQLFilter` writes them for SQLite: keys and
/// values are always bound; only column names from fixed lists are written into the text.
///
/// Where the dialects differ, this side follows SQLite's behaviour: `LIKE` has no escape character (`ESCAPE ''`),
/// `ILIKE` folds ASCII letters only (as `lower` does under the "C" collation), an empty `IN` list matches nothing.
extension PostgresTrackingStore {
    static let runColumns: [String: String] = [
        "run_id": "r.run_uuid", "run_name": "r.name", "status": "r.status", "user_id": "r.user_id",
        "artifact_uri": "r.artifact_uri", "lifecycle_stage": "r.lifecycle_stage", "start_time": "r.start_time",
        "end_time": "r.end_time", "experiment_id": "r.experiment_id",
    ]

    /// `column op $n` for one clause's operator, its values bound in `statement`.
    static func comparison(_ column: String, _ clause: FilterClause, in statement: inout SQLStatement) -> String {
        switch (clause.op, clause.value) {
        case (.like, .string(let pattern)): return "\(column) LIKE \(statement.bind(pattern)) ESCAPE ''"
        case (.iLike, .string(let pattern)): return "\(column) ILIKE \(statement.bind(pattern)) ESCAPE ''"
        case (.isIn, .list(let items)): return "\(column) = ANY(\(statement.bind(items)))"
        case (.notIn, .list(let items)): return "\(column) <> ALL(\(statement.bind(items)))"
        case (_, .string(let string)): return "\(column) \(sqlOperator(clause.op)) \(statement.bind(string))"
        case (_, .number(let number)): return "\(column) \(sqlOperator(clause.op)) \(statement.bind(number))"
        default: return "FALSE"
        }
    }

    static func sqlOperator(_ op: FilterOperator) -> String {
        op == .notEqual ? "<>" : op.rawValue
    }

    /// A condition on run `r` for a run filter; it can be ANDed with other conditions as it is (an `OR` comes in
    /// parentheses).
    static func runCondition(_ expression: FilterExpression, in statement: inout SQLStatement) -> String {
        switch expression {
        case .clause(let clause):
            return runCondition(clause, in: &statement)
        case .and(let operands):
            guard !operands.isEmpty else { return "TRUE" }
            return operands.map { runCondition($0, in: &statement) }.joined(separator: " AND ")
        case .or(let operands):
            guard !operands.isEmpty else { return "(FALSE)" }
            return "(" + operands.map { runCondition($0, in: &statement) }.joined(separator: " OR ") + ")"
        }
    }

    /// A condition on run `r` for one clause of a run search.
    static func runCondition(_ clause: FilterClause, in statement: inout SQLStatement) -> String {
        switch clause.entity {
        case .metric:
            let base = "FROM latest_metrics m WHERE m.run_key = r.run_key AND m.key = \(statement.bind(clause.key))"
            switch clause.op {
            case .isNull: return "NOT EXISTS (SELECT 1 \(base))"
            case .isNotNull: return "EXISTS (SELECT 1 \(base))"
            case .notEqual:
                return
                    "EXISTS (SELECT 1 \(base) AND (m.is_nan OR m.value <> \(statement.bind(clause.numberValue ?? 0))))"
            default:
                return "EXISTS (SELECT 1 \(base) AND NOT m.is_nan AND \(comparison("m.value", clause, in: &statement)))"
            }
        case .param, .tag:
            let table = clause.entity == .param ? "params" : "tags"
            let base = "FROM \(table) p WHERE p.run_key = r.run_key AND p.key = \(statement.bind(clause.key))"
            switch clause.op {
            case .isNull: return "NOT EXISTS (SELECT 1 \(base))"
            case .isNotNull: return "EXISTS (SELECT 1 \(base))"
            case .equal:
                // The prefix the index holds, so that an equality is looked up in it.
                guard let value = clause.stringValue else { return "FALSE" }
                let bound = statement.bind(value)
                return "EXISTS (SELECT 1 \(base) AND left(p.value, 200) = left(\(bound), 200) AND p.value = \(bound))"
            default:
                return "EXISTS (SELECT 1 \(base) AND \(comparison("p.value", clause, in: &statement)))"
            }
        case .attribute:
            return comparison(runColumns[clause.key] ?? "NULL", clause, in: &statement)
        case .dataset:
            let column = clause.key == "context" ? "t.value" : "d.\(clause.key == "digest" ? "digest" : "name")"
            let contextJoin =
                clause.key == "context"
                ? "JOIN input_tags t ON t.input_uuid = i.input_uuid AND t.key = 'mlflow.data.context'" : ""
            return """
                EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id \(contextJoin)
                        WHERE i.destination_type = 'RUN' AND i.destination_id = r.run_uuid
                          AND i.source_type = 'DATASET' AND \(comparison(column, clause, in: &statement)))
                """
        }
    }

    /// The ORDER BY terms of one order clause of a run search: values first, then NaN, then runs without the key,
    /// whatever the direction, as in MLflow.
    static func runOrderTerms(_ clause: OrderClause, in statement: inout SQLStatement) -> [String] {
        let direction = clause.ascending ? "ASC" : "DESC"
        switch clause.entity {
        case .metric:
            return metricOrderTerms(clause, direction: direction, in: &statement)
        case .param, .tag:
            let table = clause.entity == .param ? "params" : "tags"
            let key = statement.bind(clause.key)
            let expression =
                "((SELECT p.value FROM \(table) p WHERE p.run_key = r.run_key AND p.key = \(key)) COLLATE \"C\")"
            return ["(CASE WHEN \(expression) IS NULL THEN 2 ELSE 0 END)", "\(expression) \(direction)"]
        case .attribute, .dataset:
            let column = runColumns[clause.key] ?? "r.start_time"
            return ["(CASE WHEN \(column) IS NULL THEN 2 ELSE 0 END)", "\(column) \(direction)"]
        }
    }

    /// The ORDER BY terms of a metric, by the figure the clause names (`MetricAggregate`).
    ///
    /// A value read from one row (the last value, or the value at a step) is one term, `(rank, value)` as a record
    /// read by one look-up: as a rank and a value apart, a search sorting 1,300 runs probed `latest_metrics` 2,600
    /// times. NaN ranks after values (1 against 0, negated when descending); a run without the metric has no record
    /// and goes last (`NULLS LAST`).
    static func metricOrderTerms(
        _ clause: OrderClause, direction: String, in statement: inout SQLStatement
    ) -> [String] {
        let key = statement.bind(clause.key)
        func row(_ source: String) -> [String] {
            let rank = clause.ascending ? "m.is_nan::int" : "-(m.is_nan::int)"
            return [
                "(SELECT ROW(\(rank), CASE WHEN m.is_nan THEN NULL ELSE m.value END) \(source)) \(direction) NULLS LAST"
            ]
        }
        let summaries = "FROM metric_summaries s WHERE s.run_key = r.run_key AND s.key = \(key)"
        // A run whose values are all NaN ranks 1 (value_count 0); a run without the metric ranks 2.
        let summaryRank = "coalesce((SELECT (s.value_count = 0)::int \(summaries)), 2)"
        switch clause.summary {
        case .last: return row("FROM latest_metrics m WHERE m.run_key = r.run_key AND m.key = \(key)")
        case .minimum: return [summaryRank, "(SELECT s.min_value \(summaries)) \(direction)"]
        case .maximum: return [summaryRank, "(SELECT s.max_value \(summaries)) \(direction)"]
        case .mean: return [summaryRank, "(SELECT s.sum_value / nullif(s.value_count, 0) \(summaries)) \(direction)"]
        case .atStep(let step):
            return row(
                """
                FROM metrics m WHERE m.run_key = r.run_key AND m.key = \(key) AND m.step = \(statement.bind(step))
                ORDER BY m.timestamp DESC, m.value DESC LIMIT 1
                """)
        }
    }

    static let experimentColumnsByKey: [String: String] = [
        "name": "e.name", "experiment_id": "(e.experiment_id::text COLLATE \"C\")", "creation_time": "e.creation_time",
        "last_update_time": "e.last_update_time",
    ]

    /// A condition on experiment `e` for one clause of an experiment search.
    static func experimentCondition(_ clause: FilterClause, in statement: inout SQLStatement) -> String {
        if clause.entity == .tag {
            let key = statement.bind(clause.key)
            return """
                EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = \(key)
                        AND \(comparison("t.value", clause, in: &statement)))
                """
        }
        return comparison(experimentColumnsByKey[clause.key] ?? "NULL", clause, in: &statement)
    }
}
