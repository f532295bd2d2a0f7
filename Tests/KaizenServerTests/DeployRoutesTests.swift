import Foundation
import Hummingbird
import HummingbirdTesting
import KaizenCore
import Testing

@testable import KaizenServer

/// `/api/2.0/kaizen/endpoints/...` on a real SQLite file: validation against the registry, revisions, audit.
struct DeployRoutesTests {
    typealias Routes = TrackingRoutesTests

    /// A registered model `fraud` with versions 1 to 3.
    static func seed(_ client: some TestClientProtocol) async throws {
        _ = try await Routes.post(client, "/api/2.0/mlflow/registered-models/create", #"{"name":"fraud"}"#)
        for _ in 1...3 {
            let created = try await Routes.post(
                client, "/api/2.0/mlflow/model-versions/create", #"{"name":"fraud","source":"s3://bucket/fraud"}"#)
            #expect(created.status == .ok)
        }
    }

    @Test func endpointLifecycle() async throws {
        try await Routes.Fixture().run { client in
            try await Self.seed(client)
            let created = try await Routes.post(
                client, "/api/2.0/kaizen/endpoints/create",
                #"{"name":"fraud-api","model_name":"fraud","traffic":[{"version":"1","weight":100}]}"#)
            #expect(created.status == .ok)
            let endpoint = try Routes.body(created)["endpoint"]
            #expect(endpoint?["model_name"] == "fraud")
            #expect(endpoint?["traffic"] == .array([.object([("version", "1"), ("weight", 100)])]))
            #expect(endpoint?["revision"] == 1)

            let updated = try await client.execute(
                uri: "/api/2.0/kaizen/endpoints/update", method: .patch, headers: Routes.json,
                body: ByteBuffer(
                    string:
                        #"{"name":"fraud-api","traffic":[{"version":"1","weight":90},{"version":2,"weight":10}],"shadow":[{"version":"3","weight":50}]}"#
                ))
            #expect(updated.status == .ok)
            let next = try Routes.body(updated)["endpoint"]
            #expect(next?["revision"] == 2)
            #expect(next?["traffic"]?.arrayValue?.count == 2)
            #expect(next?["shadow"] == .array([.object([("version", "3"), ("weight", 50)])]))

            let fetched = try await client.execute(uri: "/api/2.0/kaizen/endpoints/get?name=fraud-api", method: .get)
            #expect(try Routes.body(fetched)["endpoint"] == next)
            let listed = try await client.execute(uri: "/api/2.0/kaizen/endpoints/list", method: .get)
            #expect(try Routes.body(listed)["endpoints"]?.arrayValue?.count == 1)

            let history = try await client.execute(
                uri: "/api/2.0/kaizen/registered-models/history?name=fraud", method: .get)
            let actions = (try Routes.body(history)["events"]?.arrayValue ?? []).compactMap {
                $0["action"]?.stringValue
            }
            #expect(actions.contains("create_endpoint"))
            #expect(actions.contains("update_endpoint"))

            let deleted = try await client.execute(
                uri: "/api/2.0/kaizen/endpoints/delete", method: .delete, headers: Routes.json,
                body: ByteBuffer(string: #"{"name":"fraud-api"}"#))
            #expect(deleted.status == .ok)
            let gone = try await client.execute(uri: "/api/2.0/kaizen/endpoints/get?name=fraud-api", method: .get)
            #expect(gone.status == .notFound)
        }
    }

    @Test(arguments: [
        (#"{"name":"e","model_name":"fraud","traffic":[{"version":"1","weight":60}]}"#, "sum to 100"),
        (#"{"name":"e","model_name":"fraud","traffic":[{"version":"9","weight":100}]}"#, "version=9"),
        (#"{"name":"e","model_name":"nope","traffic":[{"version":"1","weight":100}]}"#, "nope"),
        (#"{"name":"../e","model_name":"fraud","traffic":[{"version":"1","weight":100}]}"#, "Invalid endpoint name"),
        (
            #"{"name":"e","model_name":"fraud","traffic":[{"version":"1","weight":50},{"version":"1","weight":50}]}"#,
            "appears twice"
        ),
        (
            #"{"name":"e","model_name":"fraud","traffic":[{"version":"1","weight":100}],"shadow":[{"version":"1","weight":10}]}"#,
            "cannot also be a shadow"
        ),
        (#"{"name":"e","model_name":"fraud","traffic":[{"version":"1","weight":101}]}"#, "from 0 to 100"),
        (#"{"name":"e","model_name":"fraud","traffic":"all"}"#, "must be a list"),
        (#"{"name":"e","model_name":"fraud"}"#, "sum to 100"),
    ])
    func badEndpointsAreRefused(_ body: String, _ message: String) async throws {
        try await Routes.Fixture().run { client in
            try await Self.seed(client)
            let answer = try await Routes.post(client, "/api/2.0/kaizen/endpoints/create", body)
            #expect(answer.status == .badRequest || answer.status == .notFound)
            let text = try Routes.body(answer)["message"]?.stringValue ?? ""
            #expect(text.contains(message), "\(text)")
            let listed = try await client.execute(uri: "/api/2.0/kaizen/endpoints/list", method: .get)
            #expect(try Routes.body(listed)["endpoints"] == .array([]))
        }
    }

    @Test func aNameIsTakenOnce() async throws {
        try await Routes.Fixture().run { client in
            try await Self.seed(client)
            let body = #"{"name":"e","model_name":"fraud","traffic":[{"version":"1","weight":100}]}"#
            #expect(try await Routes.post(client, "/api/2.0/kaizen/endpoints/create", body).status == .ok)
            let again = try await Routes.post(client, "/api/2.0/kaizen/endpoints/create", body)
            #expect(try Routes.body(again)["error_code"] == "RESOURCE_ALREADY_EXISTS")
        }
    }

    /// A rollout's thresholds come from the request, the rest keep their defaults, and `get` shows all of them;
    /// a bad threshold is refused with the field named and starts nothing.
    @Test func aRolloutTakesItsOwnThresholds() async throws {
        try await Routes.Fixture().run { client in
            try await Self.seed(client)
            let endpoint = #"{"name":"e","model_name":"fraud","traffic":[{"version":"1","weight":100}]}"#
            #expect(try await Routes.post(client, "/api/2.0/kaizen/endpoints/create", endpoint).status == .ok)
            for (thresholds, message) in [
                (#"{"max_latency_ratio":0.5}"#, "'max_latency_ratio' must be a number from 1.0"),
                (#"{"alpha":"low"}"#, "'alpha' must be a number"),
                (#"{"divergence_metric":"kl"}"#, "'divergence_metric' must be one of js_distance, psi"),
                (#"{"p99":2}"#, "'p99' is not a threshold"),
                (#"[1]"#, "the document must be a JSON object"),
            ] {
                let refused = try await Routes.post(
                    client, "/api/2.0/kaizen/rollouts/start",
                    #"{"endpoint":"e","version":"2","strategy":"canary","thresholds":\#(thresholds)}"#)
                #expect(refused.status == .badRequest)
                let text = try Routes.body(refused)["message"]?.stringValue ?? ""
                #expect(text.contains(message), "\(text)")
            }
            let none = try await client.execute(uri: "/api/2.0/kaizen/rollouts/list?endpoint=e", method: .get)
            #expect(try Routes.body(none)["rollouts"] == .array([]))

            let started = try await Routes.post(
                client, "/api/2.0/kaizen/rollouts/start",
                #"{"endpoint":"e","version":"2","strategy":"canary","thresholds":{"max_latency_ratio":3,"latency_floor_ms":20,"divergence_metric":"psi"}}"#
            )
            #expect(started.status == .ok)
            let fetched = try await client.execute(uri: "/api/2.0/kaizen/rollouts/get?endpoint=e", method: .get)
            let thresholds = try Routes.body(fetched)["rollout"]?["settings"]?["thresholds"]
            #expect(thresholds?["max_latency_ratio"]?.doubleValue == 3)
            #expect(thresholds?["latency_floor_ms"]?.doubleValue == 20)
            #expect(thresholds?["divergence_metric"] == "psi")
            #expect(thresholds?["max_error_rate"]?.doubleValue == 0.05)
        }
    }
}
