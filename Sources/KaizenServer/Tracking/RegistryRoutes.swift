import Hummingbird
import KaizenCore
import KaizenRegistry
import KaizenTracking

/// The model registry endpoints of MLflow's REST API, plus Kaizen's audit trail.
enum RegistryRoutes {
    static func version(_ message: RequestMessage) throws(KaizenError) -> Int64 {
        guard let text = try message.string("version"), !text.isEmpty else { throw .missingParameter("version") }
        return try RegistryValidation.parseVersion(text)
    }

    static func register(on endpoints: EndpointRegistrar<some RequestContext>, registry: RegistryService) {
        endpoints.register("registered-models/create", methods: [.post]) { message in
            let model = try await registry.createRegisteredModel(
                name: try message.requireString("name"), description: try message.string("description"),
                tags: try TrackingJSON.tags(message), actor: Actor(message.actor))
            return .object([("registered_model", RegistryJSON.registeredModel(model))])
        }
        endpoints.register("registered-models/get", methods: [.get]) { message in
            .object([
                (
                    "registered_model",
                    RegistryJSON.registeredModel(
                        try await registry.registeredModel(named: try message.requireString("name")))
                )
            ])
        }
        endpoints.register("registered-models/rename", methods: [.post]) { message in
            let model = try await registry.renameRegisteredModel(
                name: try message.requireString("name"), to: try message.requireString("new_name"),
                actor: Actor(message.actor))
            return .object([("registered_model", RegistryJSON.registeredModel(model))])
        }
        endpoints.register("registered-models/update", methods: [.patch]) { message in
            let model = try await registry.updateRegisteredModel(
                name: try message.requireString("name"), description: try message.string("description"),
                actor: Actor(message.actor))
            return .object([("registered_model", RegistryJSON.registeredModel(model))])
        }
        endpoints.register("registered-models/delete", methods: [.delete]) { message in
            try await registry.deleteRegisteredModel(
                name: try message.requireString("name"), actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("registered-models/search", methods: [.get, .post]) { message in
            let search = try RegisteredModelSearch(
                filter: try message.string("filter"), orderBy: try message.strings("order_by"),
                maxResults: try message.int64("max_results"), pageToken: try message.string("page_token"))
            let page = try await registry.searchRegisteredModels(search)
            return .fields(
                ("registered_models", .repeated(page.items, RegistryJSON.registeredModel)),
                ("next_page_token", page.nextPageToken.map { .string($0) }))
        }
        endpoints.register("registered-models/get-latest-versions", methods: [.post, .get]) { message in
            let versions = try await registry.latestVersions(
                name: try message.requireString("name"), stages: try message.strings("stages"))
            return .fields(("model_versions", .repeated(versions, RegistryJSON.modelVersion)))
        }
        endpoints.register("registered-models/set-tag", methods: [.post]) { message in
            try await registry.setRegisteredModelTag(
                name: try message.requireString("name"),
                tag: Tag(key: try message.requireString("key"), value: try message.string("value") ?? ""),
                actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("registered-models/delete-tag", methods: [.delete]) { message in
            try await registry.deleteRegisteredModelTag(
                name: try message.requireString("name"), key: try message.requireString("key"),
                actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("registered-models/alias", methods: [.post]) { message in
            try await registry.setAlias(
                name: try message.requireString("name"), alias: try message.requireString("alias"),
                version: try version(message), actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("registered-models/alias", methods: [.delete]) { message in
            try await registry.deleteAlias(
                name: try message.requireString("name"), alias: try message.requireString("alias"),
                actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("registered-models/alias", methods: [.get]) { message in
            let found = try await registry.versionByAlias(
                name: try message.requireString("name"), alias: try message.requireString("alias"))
            return .object([("model_version", RegistryJSON.modelVersion(found))])
        }
        registerVersions(on: endpoints, registry: registry)
        endpoints.register("registered-models/history", namespace: "kaizen", methods: [.get]) { message in
            let events = try await registry.history(name: try message.requireString("name"))
            return .object([("events", .array(events.map(RegistryJSON.auditEvent)))])
        }
    }

    static func registerVersions(on endpoints: EndpointRegistrar<some RequestContext>, registry: RegistryService) {
        endpoints.register("model-versions/create", methods: [.post]) { message in
            let created = try await registry.createModelVersion(
                name: try message.requireString("name"), source: try message.requireString("source"),
                runID: try message.string("run_id"), modelID: try message.string("model_id"),
                runLink: try message.string("run_link"), description: try message.string("description"),
                tags: try TrackingJSON.tags(message), actor: Actor(message.actor))
            return .object([("model_version", RegistryJSON.modelVersion(created))])
        }
        endpoints.register("model-versions/get", methods: [.get]) { message in
            let found = try await registry.modelVersion(
                name: try message.requireString("name"), version: try version(message))
            return .object([("model_version", RegistryJSON.modelVersion(found))])
        }
        endpoints.register("model-versions/update", methods: [.patch]) { message in
            let updated = try await registry.updateModelVersion(
                name: try message.requireString("name"), version: try version(message),
                description: try message.string("description"), actor: Actor(message.actor))
            return .object([("model_version", RegistryJSON.modelVersion(updated))])
        }
        endpoints.register("model-versions/delete", methods: [.delete]) { message in
            try await registry.deleteModelVersion(
                name: try message.requireString("name"), version: try version(message), actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("model-versions/search", methods: [.get, .post]) { message in
            let search = try ModelVersionSearch(
                filter: try message.string("filter"), orderBy: try message.strings("order_by"),
                maxResults: try message.int64("max_results"), pageToken: try message.string("page_token"))
            let page = try await registry.searchModelVersions(search)
            return .fields(
                ("model_versions", .repeated(page.items, RegistryJSON.modelVersion)),
                ("next_page_token", page.nextPageToken.map { .string($0) }))
        }
        endpoints.register("model-versions/transition-stage", methods: [.post]) { message in
            let updated = try await registry.transitionStage(
                name: try message.requireString("name"), version: try version(message),
                stage: try message.requireString("stage"),
                archiveExisting: try message.bool("archive_existing_versions") ?? false, actor: Actor(message.actor))
            return .object([("model_version", RegistryJSON.modelVersion(updated))])
        }
        endpoints.register("model-versions/get-download-uri", methods: [.get]) { message in
            let uri = try await registry.downloadURI(
                name: try message.requireString("name"), version: try version(message))
            return .object([("artifact_uri", .string(uri))])
        }
        endpoints.register("model-versions/set-tag", methods: [.post]) { message in
            try await registry.setModelVersionTag(
                name: try message.requireString("name"), version: try version(message),
                tag: Tag(key: try message.requireString("key"), value: try message.string("value") ?? ""),
                actor: Actor(message.actor))
            return .object([])
        }
        endpoints.register("model-versions/delete-tag", methods: [.delete]) { message in
            try await registry.deleteModelVersionTag(
                name: try message.requireString("name"), version: try version(message),
                key: try message.requireString("key"), actor: Actor(message.actor))
            return .object([])
        }
    }
}
