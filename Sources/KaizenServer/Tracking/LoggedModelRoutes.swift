import Hummingbird
import KaizenCore
import KaizenTracking

/// The logged-model endpoints (MLflow 3), without which `log_model` fails.
enum LoggedModelRoutes {
    static func modelID(_ parameters: Parameters) throws(KaizenError) -> String {
        guard let id = parameters.get("model_id"), !id.isEmpty else { throw .missingParameter("model_id") }
        return id
    }

    static func register(on endpoints: EndpointRegistrar<some RequestContext>, tracking: TrackingService) {
        endpoints.register("logged-models", methods: [.post]) { message in
            let model = try await tracking.createLoggedModel(
                experimentID: try message.requireIdentifier("experiment_id"), name: try message.string("name"),
                modelType: try message.string("model_type"), sourceRunID: try message.string("source_run_id"),
                params: try TrackingJSON.params(message), tags: try TrackingJSON.tags(message))
            return .object([("model", TrackingJSON.loggedModel(model))])
        }
        endpoints.register("logged-models/search", methods: [.post]) { message in
            let order = try message.messages("order_by").map { item throws(KaizenError) in
                LoggedModelSearch.Order(
                    field: try item.requireString("field_name"), ascending: try item.bool("ascending") ?? true)
            }
            let search = try LoggedModelSearch(
                experimentIDs: try message.strings("experiment_ids"), filter: try message.string("filter"),
                order: order, maxResults: try message.int64("max_results"), pageToken: try message.string("page_token"))
            let page = try await tracking.searchLoggedModels(search)
            return .fields(
                ("models", .repeated(page.items, TrackingJSON.loggedModel)),
                ("next_page_token", page.nextPageToken.map { .string($0) }))
        }
        endpoints.register("logged-models/:model_id", methods: [.get]) { _, parameters in
            .object([("model", TrackingJSON.loggedModel(try await tracking.loggedModel(id: try modelID(parameters))))])
        }
        endpoints.register("logged-models/:model_id", methods: [.patch]) { message, parameters in
            var status = LoggedModelStatus.ready
            if let text = try message.identifier("status") {
                guard let parsed = LoggedModelStatus(wire: text) else {
                    throw KaizenError.invalidValue(text, for: "status")
                }
                status = parsed
            }
            let model = try await tracking.finalizeLoggedModel(id: try modelID(parameters), status: status)
            return .object([("model", TrackingJSON.loggedModel(model))])
        }
        endpoints.register("logged-models/:model_id", methods: [.delete]) { _, parameters in
            try await tracking.deleteLoggedModel(id: try modelID(parameters))
            return .object([])
        }
        endpoints.register("logged-models/:model_id/tags", methods: [.patch]) { message, parameters in
            try await tracking.setLoggedModelTags(id: try modelID(parameters), tags: try TrackingJSON.tags(message))
            return .object([])
        }
        endpoints.register("logged-models/:model_id/tags/:tag_key", methods: [.delete]) { _, parameters in
            guard let key = parameters.get("tag_key") else { throw KaizenError.missingParameter("tag_key") }
            try await tracking.deleteLoggedModelTag(id: try modelID(parameters), key: QueryString.decode(key[...]))
            return .object([])
        }
        endpoints.register("logged-models/:model_id/params", methods: [.post]) { message, parameters in
            try await tracking.logLoggedModelParams(
                id: try modelID(parameters), params: try TrackingJSON.params(message))
            return .object([])
        }
    }
}
