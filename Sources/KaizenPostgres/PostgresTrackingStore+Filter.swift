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
            if let condition = metricValueCondition(clause, on: "m", in: &statement) {
                return "EXISTS (SELECT 1 \(base) AND \(condition))"
            }
            switch clause.op {
            case .isNull: return "NOT EXISTS (SELECT 1 \(base))"
            case .isNotNull: return "EXISTS (SELECT 1 \(base))"
            default:
                return
                    "EXISTS (SELECT 1 \(base) AND (m.is_nan OR m.value <> \(statement.bind(clause.numberValue ?? 0))))"
            }
        case .param, .tag:
            let table = clause.entity == .param ? "params" : "tags"
            let base = "FROM \(table) p WHERE p.run_key = r.run_key AND p.key = \(statement.bind(clause.key))"
            switch clause.op {
            case .isNull: return "NOT EXISTS (SELECT 1 \(base))"
            case .isNotNull: return "EXISTS (SELECT 1 \(base))"
            case .equal:
                // Compared by the prefix the index holds, so that an equality is looked up in it. A value shorter
                // than the prefix equals a row's value exactly when it equals the row's prefix; only a longer one is
                // compared whole as well. (A second condition the planner cannot see through also made it expect a
                // fifth of the rows, and choose a slower plan.)
                guard let value = clause.stringValue else { return "FALSE" }
                let bound = statement.bind(value)
                if value.unicodeScalars.count < PostgresSchema.indexedPrefix {
                    return "EXISTS (SELECT 1 \(base) AND p.value_prefix = \(bound))"
                }
                return
                    "EXISTS (SELECT 1 \(base) AND p.value_prefix = left(\(bound), \(PostgresSchema.indexedPrefix)) AND p.value = \(bound))"
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

    /// What a run search reads besides runs `r`: the joins its order adds, and the operands of its filter's
    /// top-level AND still to be written as conditions (an order can take one over as the condition of its join).
    struct RunSearchSources {
        var joins: [String] = []
        var conjuncts: [FilterExpression]
    }

    /// The condition a metric clause puts on the value of `latest_metrics` row `alias`, for the clauses only a
    /// number can meet; nil for `!=`, `IS NULL` and `IS NOT NULL`, which a NaN or a missing metric can meet.
    static func metricValueCondition(
        _ clause: FilterClause, on alias: String, in statement: inout SQLStatement
    ) -> String? {
        switch clause.op {
        case .isNull, .isNotNull, .notEqual: return nil
        default: return "NOT \(alias).is_nan AND \(comparison("\(alias).value", clause, in: &statement))"
        }
    }

    /// The ORDER BY terms of one order clause of a run search: values first, then NaN, then runs without the key,
    /// whatever the direction, as in MLflow. `alias` names the join the clause may add to `sources`.
    static func runOrderTerms(
        _ clause: OrderClause, alias: String, sources: inout RunSearchSources, in statement: inout SQLStatement
    ) -> [String] {
        let direction = clause.ascending ? "ASC" : "DESC"
        switch clause.entity {
        case .metric:
            return metricOrderTerms(clause, direction: direction, alias: alias, sources: &sources, in: &statement)
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
    /// The last value is read by a join on `latest_metrics`, one look-up per run, and sorted as two plain terms: a
    /// rank (NaN after values: 1 against 0, negated when descending; a run without the metric has none and goes
    /// last) and the value. Sorting 1,237 runs by a `(rank, value)` record from a subquery instead took about 6 ms
    /// more of PostgreSQL's time, comparing records. When the filter keeps only runs whose value is a number
    /// (`metrics.rmse < 0.5`), the join takes that condition over and the value alone is the term: the planner then
    /// reads the filter's rows once, from the index, and joins the runs to them.
    ///
    /// The value at a step is one term, `(rank, value)` as a record read by one look-up.
    static func metricOrderTerms(
        _ clause: OrderClause, direction: String, alias: String, sources: inout RunSearchSources,
        in statement: inout SQLStatement
    ) -> [String] {
        let key = statement.bind(clause.key)
        func row(_ source: String) -> [String] {
            let (rank, value) = rankAndValue(of: "m", ascending: clause.ascending)
            return ["(SELECT ROW(\(rank), \(value)) \(source)) \(direction) NULLS LAST"]
        }
        let summaries = "FROM metric_summaries s WHERE s.run_key = r.run_key AND s.key = \(key)"
        // A run whose values are all NaN ranks 1 (value_count 0); a run without the metric ranks 2.
        let summaryRank = "coalesce((SELECT (s.value_count = 0)::int \(summaries)), 2)"
        switch clause.summary {
        case .last:
            return lastValueOrderTerms(
                clause, key: key, direction: direction, alias: alias, sources: &sources, in: &statement)
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

    /// The terms for the last value of metric `key` (bound), joined as `alias`.
    static func lastValueOrderTerms(
        _ clause: OrderClause, key: String, direction: String, alias: String, sources: inout RunSearchSources,
        in statement: inout SQLStatement
    ) -> [String] {
        let on = "\(alias).run_key = r.run_key AND \(alias).key = \(key)"
        for (index, operand) in sources.conjuncts.enumerated() {
            guard case .clause(let filter) = operand, filter.entity == .metric, filter.key == clause.key,
                let condition = metricValueCondition(filter, on: alias, in: &statement)
            else { continue }
            sources.conjuncts.remove(at: index)
            sources.joins.append("JOIN latest_metrics \(alias) ON \(on) AND \(condition)")
            return ["\(alias).value \(direction)"]
        }
        sources.joins.append("LEFT JOIN latest_metrics \(alias) ON \(on)")
        let (rank, value) = rankAndValue(of: alias, ascending: clause.ascending)
        return ["\(rank) \(direction) NULLS LAST", "(\(value)) \(direction) NULLS LAST"]
    }

    /// How metric row `alias` sorts: a rank that puts NaN after values (1 against 0, negated when descending), and
    /// the value, NULL for NaN.
    static func rankAndValue(of alias: String, ascending: Bool) -> (rank: String, value: String) {
        (
            ascending ? "\(alias).is_nan::int" : "-(\(alias).is_nan::int)",
            "CASE WHEN \(alias).is_nan THEN NULL ELSE \(alias).value END"
        )
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
