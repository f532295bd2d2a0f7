import Hummingbird
import KaizenCore
import KaizenDeploy
import KaizenRegistry

/// Kaizen's deployment endpoints under `/api/2.0/kaizen/endpoints`: create, get, list, update, delete.
enum DeployRoutes {
    static func register(on endpoints: EndpointRegistrar<some RequestContext>, deploy: DeployService) {
        endpoints.register("endpoints/create", namespace: "kaizen", methods: [.post]) { message in
            let endpoint = try await deploy.create(
                name: try message.requireString("name"), model: try message.requireString("model_name"),
                traffic: try Endpoint.weights(from: try message.value("traffic"), field: "traffic"),
                shadow: try Endpoint.weights(from: try message.value("shadow"), field: "shadow"),
                followAlias: try message.string("follow_alias"), description: try message.string("description") ?? "",
                actor: Actor(message.actor))
            return .object([("endpoint", endpoint.json)])
        }
        endpoints.register("endpoints/get", namespace: "kaizen", methods: [.get]) { message in
            .object([("endpoint", try await deploy.endpoint(named: try message.requireString("name")).json)])
        }
        endpoints.register("endpoints/list", namespace: "kaizen", methods: [.get]) { _ in
            .object([("endpoints", .array(try await deploy.list().map(\.json)))])
        }
        endpoints.register("endpoints/update", namespace: "kaizen", methods: [.patch, .post]) { message in
            let traffic = try message.value("traffic")
            let shadow = try message.value("shadow")
            var followAlias: String?? = nil
            if let alias = try message.value("follow_alias") {
                followAlias = .some(alias == .null || alias == .string("") ? nil : try message.string("follow_alias"))
            }
            let endpoint = try await deploy.update(
                name: try message.requireString("name"),
                traffic: try traffic.map { value throws(KaizenError) in
                    try Endpoint.weights(from: value, field: "traffic")
                },
                shadow: try shadow.map { value throws(KaizenError) in try Endpoint.weights(from: value, field: "shadow")
                },
                followAlias: followAlias, description: try message.string("description"), actor: Actor(message.actor))
            return .object([("endpoint", endpoint.json)])
        }
        // Replicas of `kaizen models serve --endpoint` report what they saw every few seconds.
        endpoints.register("endpoints/report", namespace: "kaizen", methods: [.post]) { message in
            let report = try ReplicaReport(json: message.fields)
            let kept = try await deploy.record(report)
            return .object([("recorded", .bool(kept))])
        }
        endpoints.register("endpoints/delete", namespace: "kaizen", methods: [.delete]) { message in
            try await deploy.delete(name: try message.requireString("name"), actor: Actor(message.actor))
            return .object([])
        }
    }
}
