public import KaizenCore

/// Reads `/invocations` bodies as `mlflow models serve` does (`mlflow/pyfunc/scoring_server`): a JSON object with
/// exactly one of `dataframe_split`, `dataframe_records`, `instances`, `inputs` (and optionally `params`), or CSV.
public enum ScoringRequest {
    static let formats = "{'dataframe_split', 'dataframe_records', 'instances', 'inputs'}"
    static let requiredFormat = "The input must be a JSON dictionary with exactly one of the input fields \(formats)"
    public static let protocolChangeInfo =
        "IMPORTANT: The MLflow Model scoring protocol has changed in MLflow version 2.0. If you are seeing this "
        + "error, you are likely using an outdated scoring request format. To resolve the error, either update your "
        + "request format or adjust your MLflow Model's requirements file to specify an older version of MLflow "
        + "(for example, change the 'mlflow' requirement specifier to 'mlflow==1.30.0'). If you are making a request "
        + "using the MLflow client (e.g. via `mlflow.pyfunc.spark_udf()`), upgrade your MLflow client to a version "
        + ">= 2.0 in order to use the new request format. For more information about the updated MLflow Model "
        + "scoring protocol in MLflow 2.0, see https://mlflow.org/docs/latest/models.html#deploy-mlflow-models."

    /// Parses a JSON request body.
    public static func parseJSON(_ bytes: some Collection<UInt8>) throws(ServingError) -> ScoringInput {
        let bytes = Array(bytes)  // read twice at most, copied once
        if let input = numericInput(bytes) { return input }
        let document: JSONValue
        do { document = try JSONValue(parsing: bytes) } catch {
            throw ServingError.badRequest(
                "Invalid input. Ensure that input is a valid JSON formatted string. Error: '\(error)'")
        }
        return try input(of: document)
    }

    /// The data of a parsed JSON request body.
    public static func input(of document: JSONValue) throws(ServingError) -> ScoringInput {
        guard case .object(let fields) = document else {
            if case .array = document {
                throw ServingError.badRequest("Invalid input. \(requiredFormat). Received a list.")
            }
            throw ServingError.badRequest(
                "Invalid input. \(requiredFormat). Received unexpected input type '<class '\(document.pythonTypeName)'>'."
            )
        }
        let keys = fields.map(\.0).filter { $0 != "params" }
        let formatKeys = keys.filter { ["dataframe_split", "dataframe_records", "instances", "inputs"].contains($0) }
        guard formatKeys.count == 1, let key = formatKeys.first, let value = document[key] else {
            let received = keys.map { "'\($0)'" }.joined(separator: ", ")
            throw ServingError.badRequest(
                "\(requiredFormat). Received dictionary with input fields: [\(received)]. \(protocolChangeInfo)")
        }
        switch key {
        case "dataframe_split": return .frame(try splitFrame(value))
        case "dataframe_records": return .frame(try recordsFrame(value, format: "records"))
        default: return try tensorInput(value, key: key)
        }
    }

    static func splitFrame(_ value: JSONValue) throws(ServingError) -> DataFrame {
        func invalid(_ detail: String) -> ServingError {
            ServingError.badRequest(
                "Invalid input. Provided dataframe_split field is not a valid dataframe representation in 'split' "
                    + "format. Error: '\(detail)'")
        }
        guard case .object = value else { throw invalid("dataframe_split must be an object with columns and data") }
        guard let rows = value["data"]?.arrayValue else { throw invalid("DataFrame constructor not properly called!") }
        let names: [String]
        if let columns = value["columns"] {
            guard let list = columns.arrayValue else { throw invalid("columns must be a list") }
            names = list.map { $0.stringValue ?? $0.jsonText }
        } else {
            names = (0..<(rows.first.map { $0.arrayValue?.count ?? 1 } ?? 0)).map(String.init)
        }
        return try DataFrame(names: names, rows: rows)
    }

    static func recordsFrame(_ value: JSONValue, format: String) throws(ServingError) -> DataFrame {
        guard let list = value.arrayValue else {
            throw ServingError.badRequest(
                "Invalid input. Provided dataframe_\(format) field is not a valid dataframe representation in "
                    + "'\(format)' format. Error: 'records must be a list of objects'")
        }
        var records: [[(String, JSONValue)]] = []
        records.reserveCapacity(list.count)
        for item in list {
            guard let fields = item.objectFields else {
                throw ServingError.badRequest(
                    "Invalid input. Provided dataframe_\(format) field is not a valid dataframe representation in "
                        + "'\(format)' format. Error: 'every record must be an object, got \(item.messageText)'")
            }
            records.append(fields)
        }
        return DataFrame(records: records)
    }

    static func tensorInput(_ value: JSONValue, key: String) throws(ServingError) -> ScoringInput {
        switch value {
        case .array(let items):
            if let first = items.first, case .object = first {
                return .frame(try recordsFrame(value, format: "records"))
            }
            return .tensor(value)
        case .object(let fields):
            return .named(fields)
        default:
            throw ServingError.badRequest(
                "Failed to parse data as TF serving input. '\(key)' must be a list or a dict of lists, got "
                    + value.messageText)
        }
    }
}
