import KaizenCore
import KaizenTracking

/// The protobuf-JSON shapes of tracking entities, as MLflow clients read them.
enum TrackingJSON {
    static func tag(_ tag: Tag) -> JSONValue {
        .object([("key", .string(tag.key)), ("value", .string(tag.value))])
    }

    static func param(_ param: Param) -> JSONValue {
        .object([("key", .string(param.key)), ("value", .string(param.value))])
    }

    static func metric(_ metric: Metric) -> JSONValue {
        .fields(
            ("key", .string(metric.key)), ("value", .double(metric.value)), ("timestamp", .integer(metric.timestamp)),
            ("step", .integer(metric.step)), ("dataset_name", metric.datasetName.map { .string($0) }),
            ("dataset_digest", metric.datasetDigest.map { .string($0) }),
            ("model_id", metric.modelID.map { .string($0) }))
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

    static func runInfo(_ info: RunInfo) -> JSONValue {
        .fields(
            ("run_uuid", .string(info.runID)), ("experiment_id", .string(info.experimentID)),
            ("run_name", .string(info.runName)), ("user_id", .string(info.userID)),
            ("status", .string(info.status.rawValue)), ("start_time", .integer(info.startTime)),
            ("end_time", info.endTime.map { .integer($0) }), ("artifact_uri", .string(info.artifactURI)),
            ("lifecycle_stage", .string(info.lifecycleStage.rawValue)), ("run_id", .string(info.runID)))
    }

    static func dataset(_ dataset: Dataset) -> JSONValue {
        .fields(
            ("name", .string(dataset.name)), ("digest", .string(dataset.digest)),
            ("source_type", .string(dataset.sourceType)), ("source", .string(dataset.source)),
            ("schema", dataset.schema.map { .string($0) }), ("profile", dataset.profile.map { .string($0) }))
    }

    static func run(_ run: Run) -> JSONValue {
        let data: JSONValue = .fields(
            ("metrics", .repeated(run.metrics, metric)), ("params", .repeated(run.params, param)),
            ("tags", .repeated(run.tags, tag)))
        let inputs: JSONValue = .fields(
            (
                "dataset_inputs",
                .repeated(run.datasetInputs) { input in
                    .fields(("tags", .repeated(input.tags, tag)), ("dataset", dataset(input.dataset)))
                }
            ),
            ("model_inputs", .repeated(run.modelInputs) { .object([("model_id", .string($0))]) }))
        let outputs: JSONValue = .fields(
            (
                "model_outputs",
                .repeated(run.modelOutputs) {
                    .object([("model_id", .string($0.modelID)), ("step", .integer($0.step))])
                }
            ))
        return .object([("info", runInfo(run.info)), ("data", data), ("inputs", inputs), ("outputs", outputs)])
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
