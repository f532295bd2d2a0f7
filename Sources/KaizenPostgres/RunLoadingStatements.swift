import PostgresNIO

/// The latest metrics, params, tags and outputs of runs `$1` (their keys), as the parallel arrays of one row, prepared
/// once per connection: planning it took PostgreSQL about a third of its time for 250 runs (0.9 ms against 1.9 ms of
/// running).
///
/// Each child table's rows for all the runs come as parallel arrays in one row: a row of a result costs far more to
/// receive than an array element, and one aggregate over all the runs less than one per run (1,000 runs of a search:
/// about 17 ms of the server's time rather than 19 to 22). Each run's rows are read by their primary key, in its
/// order, and each aggregate takes them in the order the lateral join returns them.
struct RunChildrenStatement: PostgresPreparedStatement {
    typealias Row = PostgresRow

    static let name = "kaizen_run_children"

    static let sql = """
        SELECT m.runs, m.keys, m.vals, m.nans, m.timestamps, m.steps, p.runs, p.keys, p.vals, t.runs, t.keys,
               t.vals, o.runs, o.models, o.steps
        FROM (
            SELECT array_agg(x.run_key) AS runs, array_agg(x.key) AS keys, array_agg(x.value) AS vals,
                   array_agg(x.is_nan) AS nans, array_agg(x.timestamp) AS timestamps, array_agg(x.step) AS steps
            FROM unnest($1::int8[]) AS k(run_key)
            CROSS JOIN LATERAL (SELECT * FROM latest_metrics WHERE run_key = k.run_key ORDER BY key) x
        ) m, (
            SELECT array_agg(x.run_key) AS runs, array_agg(x.key) AS keys, array_agg(x.value) AS vals
            FROM unnest($1::int8[]) AS k(run_key)
            CROSS JOIN LATERAL (SELECT * FROM params WHERE run_key = k.run_key ORDER BY key) x
        ) p, (
            SELECT array_agg(x.run_key) AS runs, array_agg(x.key) AS keys, array_agg(x.value) AS vals
            FROM unnest($1::int8[]) AS k(run_key)
            CROSS JOIN LATERAL (SELECT * FROM tags WHERE run_key = k.run_key ORDER BY key) x
        ) t, (
            SELECT array_agg(x.run_key) AS runs, array_agg(x.model_id) AS models, array_agg(x.step) AS steps
            FROM unnest($1::int8[]) AS k(run_key)
            CROSS JOIN LATERAL (
                SELECT * FROM run_outputs WHERE run_key = k.run_key ORDER BY step, model_id
            ) x
        ) o
        """

    let keys: [Int64]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(keys)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

/// The dataset and model inputs of runs `$1` (their ids), in the order they were logged, prepared once per
/// connection as `RunChildrenStatement` is.
struct RunInputsStatement: PostgresPreparedStatement {
    typealias Row = (
        String, String, String, String?, String?, String?, String?, String?, String?, [String]?, [String]?
    )

    static let name = "kaizen_run_inputs"

    static let sql = """
        SELECT i.destination_id, i.source_type, i.source_id, d.name, d.digest, d.source_type, d.source, d.schema,
               d.profile,
               (SELECT array_agg(t.key ORDER BY t.key) FROM input_tags t WHERE t.input_uuid = i.input_uuid),
               (SELECT array_agg(t.value ORDER BY t.key) FROM input_tags t WHERE t.input_uuid = i.input_uuid)
        FROM inputs i LEFT JOIN datasets d ON i.source_type = 'DATASET' AND d.dataset_uuid = i.source_id
        WHERE i.destination_type = 'RUN' AND i.destination_id = ANY($1)
        ORDER BY i.input_key
        """

    let runIDs: [String]

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(runIDs)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
