import Foundation
import HTTPTypes
import Hummingbird
import KaizenCore
import KaizenONNX
import KaizenServing
import NIOCore

/// The MLflow scoring protocol (`mlflow models serve`): `/ping`, `/health`, `/version`, `POST /invocations`.
enum ScoringRoutes {
    static let supportedTypes = "Types: ['text/csv', 'application/json', 'application/vnd.apache.parquet']"

    static func register(
        on router: Router<ServingContext>, service: ScoringService, bodyLimit: Int, stats: ReplicaStats? = nil,
        log: InferenceLog? = nil
    ) {
        // 200 once the model is loaded, 503 before (a Kubernetes readiness probe waits for the model).
        for path in ["/ping", "/health"] {
            router.get(RouterPath(path)) { _, _ in
                Response(
                    status: service.slot.model == nil ? .serviceUnavailable : .ok,
                    headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: "\n")))
            }
        }
        router.get("/version") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: mlflowCompatibleVersion)))
        }
        // The methods each path does not take get FastAPI's 405, as from `mlflow models serve`.
        for (path, allowed) in [("/invocations", "POST"), ("/ping", "GET"), ("/health", "GET"), ("/version", "GET")] {
            for method in [HTTPRequest.Method.get, .post, .put, .delete, .patch] where method.rawValue != allowed {
                router.on(RouterPath(path), method: method) { _, _ in
                    var response = ScoringResponses.detail("Method Not Allowed", status: .methodNotAllowed)
                    response.headers[.allow] = allowed
                    return response
                }
            }
        }
        router.post("/invocations") { request, context in
            var chosen: ScoringModel?
            let requestID = RequestID.resolve(request.headers[.requestID])
            do {
                // The version is chosen before the body is read: a request it refuses counts against it.
                let routingKey = request.headers[.kaizenRoutingKey]
                let (plan, model) = try service.route(routingKey)
                chosen = model
                context.notes.record(model: model, rows: 0)
                let input = try await Self.input(of: request, bodyLimit: bodyLimit)
                let prediction = try await service.predict(input, with: model, plan: plan, routingKey: routingKey)
                log?.offer(requestID: requestID, input: input, prediction: prediction)
                stats?.predictions(prediction)
                context.notes.record(model: prediction.model, rows: prediction.rows)
                var response = Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: ResponseBody(byteBuffer: ByteBuffer(bytes: prediction.json())))
                response.headers[.requestID] = requestID
                if let version = prediction.model.version { response.headers[.kaizenModelVersion] = version }
                return response
            } catch let error as ServingError {
                context.notes.record(error: error.message)
                log?.offerRefusal(requestID: requestID, reason: error.message, version: chosen?.version)
                var response = ScoringResponses.error(error)
                response.headers[.requestID] = requestID
                if let version = chosen?.version { response.headers[.kaizenModelVersion] = version }
                return response
            }
        }
    }

    /// The request's data, after the content-type checks MLflow makes (media type compared exactly; the only
    /// parameter allowed is `charset=utf-8`).
    static func input(of request: Request, bodyLimit: Int) async throws -> ScoringInput {
        let header = request.headers[.contentType] ?? ""
        let parts = header.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let mediaType = parts.first ?? ""
        var unknown: [String] = []
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair[0].lowercased() == "charset" {
                let value = pair.count > 1 ? pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) : ""
                guard value.lowercased() == "utf-8" || value.lowercased() == "utf8" else {
                    throw ServingError.unsupportedMediaType("The scoring server only supports UTF-8")
                }
            } else {
                unknown.append(pair[0])
            }
        }
        guard unknown.isEmpty else {
            throw ServingError.unsupportedMediaType(
                "Unrecognized content type parameters: \(unknown.joined(separator: ", ")). "
                    + ScoringRequest.protocolChangeInfo)
        }
        switch mediaType {
        case "application/json":
            return try ScoringRequest.parseJSON(try await body(of: request, limit: bodyLimit).readableBytesView)
        case "text/csv":
            return try ScoringRequest.parseCSV(try await body(of: request, limit: bodyLimit).readableBytesView)
        case "application/vnd.apache.parquet":
            throw ServingError.unsupportedMediaType(
                "Kaizen does not read Parquet request bodies; send application/json or text/csv")
        default:
            throw ServingError.unsupportedMediaType(
                "This predictor only supports the following content types: \(supportedTypes). Got '\(header)'.")
        }
    }

    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw ServingError.tooLarge(limit: limit)
        }
    }
}

extension HTTPField.Name {
    /// The registered version that answered a request.
    static let kaizenModelVersion = Self("X-Kaizen-Model-Version")!
    /// A caller's key for sticky routing between an endpoint's versions.
    static let kaizenRoutingKey = Self("X-Kaizen-Routing-Key")!
    /// The request's id: the caller's, or one the server made; inference-log records and feedback carry it.
    static let requestID = Self("X-Request-Id")!
}
