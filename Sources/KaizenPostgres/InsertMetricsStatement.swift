import KaizenTracking
import PostgresNIO

/// The statement behind every metric write (`PostgresTrackingStore.insertMetrics`), prepared once per connection:
/// parsing, analyzing and planning its four parts took more of PostgreSQL's time than running them (0.47-0.51 ms
/// against 0.20 ms a statement in `psql`, one metric at a time).
///
/// It inserts the values not logged before and folds only those into each key's latest value and summary, so a
/// retried batch changes nothing, and checks in the same statement that the run is active. The row: how many
/// active runs matched (0 or 1), and the run's lifecycle stage (nil when there is no such run).
///
/// The latest value is chosen as `SQLiteTrackingStore` chooses it: by step, then timestamp, then a value over NaN
/// and the greater value.
struct InsertMetricsStatement: PostgresPreparedStatement {
    typealias Row = (Int64, String?)

    /// The name it is prepared under on each connection. Without it postgres-nio names a statement by its type,
    /// through `String(reflecting:)` on every execution: 3% of a replica's CPU under a log-metric load.
    static let name = "kaizen_insert_metrics"

    static let sql = """
        WITH run AS (
            SELECT run_key FROM runs WHERE run_uuid = $1 AND lifecycle_stage = 'active' FOR SHARE
        ),
        inserted AS (
            INSERT INTO metrics(run_key, key, value, is_nan, timestamp, step, model_id, dataset_name, dataset_digest)
            SELECT run.run_key, u.key, CASE WHEN u.value = 'NaN' THEN 0 ELSE u.value END, u.value = 'NaN',
                   u.timestamp, u.step, CASE WHEN (u.nulls & 1) = 0 THEN u.model_id END,
                   CASE WHEN (u.nulls & 2) = 0 THEN u.dataset_name END,
                   CASE WHEN (u.nulls & 4) = 0 THEN u.dataset_digest END
            FROM run, unnest($2::text[], $3::float8[], $4::int8[], $5::int8[], $6::text[], $7::text[], $8::text[],
                             $9::int8[])
                 AS u(key, value, timestamp, step, model_id, dataset_name, dataset_digest, nulls)
            ON CONFLICT DO NOTHING
            RETURNING run_key, key, value, is_nan, timestamp, step
        ),
        latest AS (
            INSERT INTO latest_metrics AS l (run_key, key, value, is_nan, timestamp, step)
            SELECT DISTINCT ON (key) run_key, key, value, is_nan, timestamp, step FROM inserted
            ORDER BY key, step DESC, timestamp DESC, is_nan, value DESC
            ON CONFLICT (run_key, key) DO UPDATE SET
                value = excluded.value, is_nan = excluded.is_nan, timestamp = excluded.timestamp,
                step = excluded.step
            WHERE excluded.step > l.step
               OR (excluded.step = l.step AND excluded.timestamp > l.timestamp)
               OR (excluded.step = l.step AND excluded.timestamp = l.timestamp AND NOT excluded.is_nan
                   AND (l.is_nan OR excluded.value > l.value))
        ),
        summary AS (
            INSERT INTO metric_summaries AS s (run_key, key, min_value, max_value, sum_value, value_count, nan_count)
            SELECT run_key, key, min(value) FILTER (WHERE NOT is_nan), max(value) FILTER (WHERE NOT is_nan),
                   coalesce(sum(value) FILTER (WHERE NOT is_nan), 0), count(*) FILTER (WHERE NOT is_nan),
                   count(*) FILTER (WHERE is_nan)
            FROM inserted GROUP BY run_key, key ORDER BY key
            ON CONFLICT (run_key, key) DO UPDATE SET
                min_value = least(s.min_value, excluded.min_value),
                max_value = greatest(s.max_value, excluded.max_value),
                sum_value = s.sum_value + excluded.sum_value, value_count = s.value_count + excluded.value_count,
                nan_count = s.nan_count + excluded.nan_count
        )
        SELECT (SELECT count(*) FROM run), (SELECT lifecycle_stage FROM runs WHERE run_uuid = $1)
        """

    let runID: String
    let metrics: [Metric]

    func makeBindings() -> PostgresBindings {
        // Arrays cannot hold NULL here: a bit mask says which of the optional columns are absent.
        let nulls = metrics.map { metric in
            Int64(
                (metric.modelID == nil ? 1 : 0) | (metric.datasetName == nil ? 2 : 0)
                    | (metric.datasetDigest == nil ? 4 : 0))
        }
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(runID)
        bindings.append(WireArray(metrics.map(\.key)))
        bindings.append(WireArray(metrics.map(\.value)))
        bindings.append(WireArray(metrics.map(\.timestamp)))
        bindings.append(WireArray(metrics.map(\.step)))
        bindings.append(WireArray(metrics.map { $0.modelID ?? "" }))
        bindings.append(WireArray(metrics.map { $0.datasetName ?? "" }))
        bindings.append(WireArray(metrics.map { $0.datasetDigest ?? "" }))
        bindings.append(WireArray(nulls))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        try row.decode(Row.self)
    }
}
