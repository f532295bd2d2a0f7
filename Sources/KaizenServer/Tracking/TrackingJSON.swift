import KaizenCore
import KaizenTracking

/// The protobuf-JSON shapes of tracking entities, as MLflow clients read them.
enum TrackingJSON {
    static func tag(_ tag: Tag) -> JSONValue { JSONTreeBuilder.build { write(tag, to: &$0) } }

    static func param(_ param: Param) -> JSONValue { JSONTreeBuilder.build { write(param, to: &$0) } }

    static func metric(_ metric: Metric) -> JSONValue { JSONTreeBuilder.build { write(metric, to: &$0) } }

    static func write(_ tag: Tag, to json: inout some JSONOutput) {
        json.object {
            $0.field("key", tag.key)
            $0.field("value", tag.value)
        }
    }

    static func write(_ param: Param, to json: inout some JSONOutput) {
        json.object {
            $0.field("key", param.key)
            $0.field("value", param.value)
        }
    }

    static func write(_ metric: Metric, to json: inout some JSONOutput) {
        json.object {
            $0.field("key", metric.key)
            $0.field("value", metric.value)
            $0.field("timestamp", metric.timestamp)
            $0.field("step", metric.step)
            $0.field("dataset_name", metric.datasetName)
            $0.field("dataset_digest", metric.datasetDigest)
            $0.field("model_id", metric.modelID)
        }
    }

    /// The points of one metric's history, as elements of the array being written, with the bytes
    /// ``write(_:to:)-(Metric,_)`` gives each.
    static func writeHistory(_ metrics: ArraySlice<Metric>, to json: inout JSONWriter) {
        guard !writeBarePoints(metrics, to: &json) else { return }
        for metric in metrics { write(metric, to: &json) }
    }

    /// Points of one key that carry no model or dataset (a history's, usually), written in one append: written
    /// field by field, the points of a 10,000-point history cost a quarter of the request's CPU. Returns false,
    /// having written nothing, when a point carries a model or a dataset or another key.
    static func writeBarePoints(_ metrics: ArraySlice<Metric>, to json: inout JSONWriter) -> Bool {
        guard let key = metrics.first?.key else { return true }
        // Read field by field: a closure over each point would copy it whole.
        for index in metrics.indices {
            guard metrics[index].modelID == nil, metrics[index].datasetName == nil,
                metrics[index].datasetDigest == nil, metrics[index].key == key
            else { return false }
        }
        var quoted = JSONWriter()
        quoted.string(key)
        let prefix = Array("{\"key\":".utf8) + quoted.bytes + Array(",\"value\":".utf8)
        let timestamp: StaticString = ",\"timestamp\":"
        let step: StaticString = ",\"step\":"
        let perPoint =
            1 + prefix.count + JSONWriter.maxDoubleBytes + timestamp.utf8CodeUnitCount + 20
            + step.utf8CodeUnitCount + 20 + 1
        json.appendElements(maxCount: perPoint * metrics.count) { start in
            var cursor = start
            func put(_ text: StaticString) {
                cursor.update(from: text.utf8Start, count: text.utf8CodeUnitCount)
                cursor += text.utf8CodeUnitCount
            }
            prefix.withUnsafeBufferPointer { prefix in
                for index in metrics.indices {
                    if index != metrics.startIndex {
                        cursor.pointee = UInt8(ascii: ",")
                        cursor += 1
                    }
                    cursor.update(from: prefix.baseAddress!, count: prefix.count)
                    cursor += prefix.count
                    cursor += JSONWriter.put(metrics[index].value, at: cursor)
                    put(timestamp)
                    cursor += JSONWriter.put(metrics[index].timestamp, at: cursor)
                    put(step)
                    cursor += JSONWriter.put(metrics[index].step, at: cursor)
                    cursor.pointee = UInt8(ascii: "}")
                    cursor += 1
                }
            }
            return cursor - start
        }
        return true
    }

    static func experiment(_ experiment: Experiment) -> JSONValue {
        .fields(
            ("experiment_id", .string(experiment.id)), ("name", .string(experiment.name)),
            ("artifact_location", .string(experiment.artifactLocation)),
            ("lifecycle_stage", .string(experiment.lifecycleStage.rawValue)),
            ("last_update_time", .integer(experiment.lastUpdateTime)),
            ("creation_time", .integer(experiment.creationTime)),
            ("tags", .repeated(experiment.tags, tag)))
    }

    static func runInfo(_ info: RunInfo) -> JSONValue { JSONTreeBuilder.build { write(info, to: &$0) } }

    static func run(_ run: Run) -> JSONValue { JSONTreeBuilder.build { write(run, to: &$0) } }

    static func write(_ info: RunInfo, to json: inout some JSONOutput) {
        json.object {
            $0.field("run_uuid", info.runID)
            $0.field("experiment_id", info.experimentID)
            $0.field("run_name", info.runName)
            $0.field("user_id", info.userID)
            $0.field("status", info.status.rawValue)
            $0.field("start_time", info.startTime)
            $0.field("end_time", info.endTime)
            $0.field("artifact_uri", info.artifactURI)
            $0.field("lifecycle_stage", info.lifecycleStage.rawValue)
            $0.field("run_id", info.runID)
        }
    }

    static func write(_ dataset: Dataset, to json: inout some JSONOutput) {
        json.object {
            $0.field("name", dataset.name)
            $0.field("digest", dataset.digest)
            $0.field("source_type", dataset.sourceType)
            $0.field("source", dataset.source)
            $0.field("schema", dataset.schema)
            $0.field("profile", dataset.profile)
        }
    }

    /// A run: info, data (latest metrics, params, tags), inputs and outputs.
    static func write(_ run: Run, to json: inout some JSONOutput) {
        json.object {
            $0.key("info")
            write(run.info, to: &$0)
            $0.field("data") {
                $0.repeated("metrics", run.metrics) { write($1, to: &$0) }
                $0.repeated("params", run.params) { write($1, to: &$0) }
                $0.repeated("tags", run.tags) { write($1, to: &$0) }
            }
            $0.field("inputs") {
                $0.repeated("dataset_inputs", run.datasetInputs) { json, input in
                    json.object {
                        $0.repeated("tags", input.tags) { write($1, to: &$0) }
                        $0.key("dataset")
                        write(input.dataset, to: &$0)
                    }
                }
                $0.repeated("model_inputs", run.modelInputs) { json, id in json.object { $0.field("model_id", id) } }
            }
            $0.field("outputs") {
                $0.repeated("model_outputs", run.modelOutputs) { json, output in
                    json.object {
                        $0.field("model_id", output.modelID)
                        $0.field("step", output.step)
                    }
                }
            }
        }
    }

    static func loggedModel(_ model: LoggedModel) -> JSONValue {
        let info: JSONValue = .fields(
            ("model_id", .string(model.modelID)), ("experiment_id", .string(model.experimentID)),
            ("name", .string(model.name)), ("creation_timestamp_ms", .integer(model.creationTimestamp)),
            ("last_updated_timestamp_ms", .integer(model.lastUpdatedTimestamp)),
            ("artifact_uri", .string(model.artifactURI)), ("status", .string(model.status.rawValue)),
            ("model_type", .string(model.modelType)), ("source_run_id", model.sourceRunID.map { .string($0) }),
            ("tags", .repeated(model.tags, tag)))
        let data: JSONValue = .fields(
            ("params", .repeated(model.params, param)), ("metrics", .repeated(model.metrics, metric)))
        return .object([("info", info), ("data", data)])
    }

    // MARK: Decoding

    static func tags(_ message: RequestMessage, field: String = "tags") throws(KaizenError) -> [Tag] {
        try message.messages(field).map { item throws(KaizenError) in
            Tag(key: try item.requireString("key"), value: try item.string("value") ?? "")
        }
    }

    static func params(_ message: RequestMessage, field: String = "params") throws(KaizenError) -> [Param] {
        try message.messages(field).map { item throws(KaizenError) in
            Param(key: try item.requireString("key"), value: try item.string("value") ?? "")
        }
    }

    static func metric(from item: RequestMessage) throws(KaizenError) -> Metric {
        guard let value = try item.double("value") else { throw .missingParameter(item.path + "value") }
        return Metric(
            key: try item.requireString("key"), value: value, timestamp: try item.requireInt64("timestamp"),
            step: try item.int64("step") ?? 0, modelID: try item.string("model_id").flatMap { $0.isEmpty ? nil : $0 },
            datasetName: try item.string("dataset_name"), datasetDigest: try item.string("dataset_digest"))
    }

    static func viewType(_ message: RequestMessage, field: String) throws(KaizenError) -> ViewType {
        guard let text = try message.identifier(field) else { return .activeOnly }
        guard let viewType = ViewType(wire: text) else { throw .invalidValue(text, for: field) }
        return viewType
    }
}
