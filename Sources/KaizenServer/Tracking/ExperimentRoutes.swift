import Hummingbird
import KaizenCore
import KaizenTracking

/// The experiments endpoints of MLflow's REST API.
enum ExperimentRoutes {
    static func register(on endpoints: EndpointRegistrar<some RequestContext>, tracking: TrackingService) {
        endpoints.register("experiments/create", methods: [.post]) { message in
            let id = try await tracking.createExperiment(
                name: try message.requireString("name"), artifactLocation: try message.string("artifact_location"),
                tags: try TrackingJSON.tags(message))
            return .object([("experiment_id", .string(id))])
        }
        endpoints.register("experiments/get", methods: [.get]) { message in
            let experiment = try await tracking.experiment(id: try message.requireIdentifier("experiment_id"))
            return .object([("experiment", TrackingJSON.experiment(experiment))])
        }
        endpoints.register("experiments/get-by-name", methods: [.get]) { message in
            let experiment = try await tracking.experiment(named: try message.requireString("experiment_name"))
            return .object([("experiment", TrackingJSON.experiment(experiment))])
        }
        endpoints.register("experiments/search", methods: [.post, .get]) { message in
            let search = try ExperimentSearch(
                filter: try message.string("filter"), orderBy: try message.strings("order_by"),
                viewType: try TrackingJSON.viewType(message, field: "view_type"),
                maxResults: try message.int64("max_results"), pageToken: try message.string("page_token"))
            let page = try await tracking.searchExperiments(search)
            return .fields(
                ("experiments", .repeated(page.items, TrackingJSON.experiment)),
                ("next_page_token", page.nextPageToken.map { .string($0) }))
        }
        endpoints.register("experiments/update", methods: [.post]) { message in
            try await tracking.renameExperiment(
                id: try message.requireIdentifier("experiment_id"), to: try message.requireString("new_name"))
            return .object([])
        }
        endpoints.register("experiments/delete", methods: [.post]) { message in
            try await tracking.deleteExperiment(id: try message.requireIdentifier("experiment_id"))
            return .object([])
        }
        endpoints.register("experiments/restore", methods: [.post]) { message in
            try await tracking.restoreExperiment(id: try message.requireIdentifier("experiment_id"))
            return .object([])
        }
        endpoints.register("experiments/set-experiment-tag", methods: [.post]) { message in
            try await tracking.setExperimentTag(
                id: try message.requireIdentifier("experiment_id"),
                tag: Tag(key: try message.requireString("key"), value: try message.string("value") ?? ""))
            return .object([])
        }
        endpoints.register("experiments/delete-experiment-tag", methods: [.post]) { message in
            try await tracking.deleteExperimentTag(
                id: try message.requireIdentifier("experiment_id"), key: try message.requireString("key"))
            return .object([])
        }
    }
}
