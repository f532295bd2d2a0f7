public import KaizenCore

extension DriftReport {
    /// The report as JSON: the data set's verdict, then one object per column (`score` is the method's p-value or
    /// distance; a column that was not compared has a `note` instead).
    public var json: JSONValue {
        .object([
            ("dataset_drift", .bool(datasetDrift)),
            ("drift_share", .double(driftShare)),
            ("drifted_columns", .integer(Int64(driftedCount))),
            ("compared_columns", .integer(Int64(comparedCount))),
            ("share_of_drifted_columns", .double(driftedShare)),
            ("reference_rows", .integer(Int64(referenceRows))),
            ("current_rows", .integer(Int64(currentRows))),
            ("missing_from_current", .array(missingFromCurrent.map(JSONValue.string))),
            ("not_in_reference", .array(notInReference.map(JSONValue.string))),
            ("columns", .array(columns.map(\.json))),
        ])
    }
}

extension DriftReport.Column {
    var json: JSONValue {
        var fields: [(String, JSONValue)] = [("name", .string(name)), ("type", .string(kind.rawValue))]
        if let method, let score, let threshold {
            fields += [
                ("method", .string(method.rawValue)),
                ("method_name", .string(method.displayName)),
                ("score", .double(score)),
                ("score_is_p_value", .bool(method.scoresPValue)),
                ("threshold", .double(threshold)),
                ("drift", .bool(drifted)),
            ]
        } else {
            fields += [("drift", .bool(false)), ("note", .string(note ?? "not compared"))]
        }
        if let reference { fields.append(("reference", reference.json)) }
        if let current { fields.append(("current", current.json)) }
        if let quality { fields.append(("quality", quality.json)) }
        return .object(fields)
    }
}

extension ColumnSummary {
    var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("rows", .integer(Int64(rows))), ("missing", .integer(Int64(missing))),
            ("distinct", .integer(Int64(distinct))),
        ]
        if let minimum, let maximum, let mean, let standardDeviation, let quantiles {
            fields += [
                ("min", .double(minimum)), ("max", .double(maximum)), ("mean", .double(mean)),
                ("std", .double(standardDeviation)),
                (
                    "quantiles",
                    .object(zip(["0.05", "0.25", "0.5", "0.75", "0.95"], quantiles).map { ($0, .double($1)) })
                ),
            ]
        }
        if let topCategories {
            fields.append(
                ("top_categories", .array(topCategories.map { .array([$0.0.json, .integer(Int64($0.1))]) })))
        }
        return .object(fields)
    }
}

extension DataQuality {
    var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("missing_share", .double(missingShare)),
            ("reference_missing_share", .double(referenceMissingShare)),
            ("constant", .bool(constant)),
        ]
        if let outOfRangeShare { fields.append(("out_of_range_share", .double(outOfRangeShare))) }
        if let newCategoryShare { fields.append(("new_category_share", .double(newCategoryShare))) }
        if let newCategories { fields.append(("new_categories", .array(newCategories.map(\.json)))) }
        return .object(fields)
    }
}

extension CategoryKey {
    var json: JSONValue {
        switch self {
        case .number(let value):
            value.wholeNumber.map(JSONValue.integer) ?? .double(value)
        case .label(let text): .string(text)
        }
    }
}
