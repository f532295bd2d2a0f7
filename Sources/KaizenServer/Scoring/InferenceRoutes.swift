import HTTPTypes
import Hummingbird
import KaizenCore
import KaizenONNX
import KaizenServing
import NIOCore

/// The Open Inference Protocol v2 over HTTP/JSON (KServe, Triton): health, server and model metadata, `infer`.
enum InferenceRoutes {
    static func register(
        on router: Router<ServingContext>, service: ScoringService, bodyLimit: Int, stats: ReplicaStats? = nil,
        log: InferenceLog? = nil
    ) {
        router.get("/v2/health/live") { _, _ in JSONResponse.make(.object([("live", true)])) }
        // Ready once the model is loaded; before, `{"ready": false}` with a 503, which a readiness probe reads as
        // not ready.
        router.get("/v2/health/ready") { _, _ in
            let ready = service.slot.model != nil
            return JSONResponse.make(.object([("ready", .bool(ready))]), status: ready ? .ok : .serviceUnavailable)
        }
        router.get("/v2") { _, _ in
            JSONResponse.make(
                .object([("name", "kaizen"), ("version", .string(kaizenVersion)), ("extensions", .array([]))]))
        }
        for suffix in ["", "/versions/:version"] {
            router.get(RouterPath("/v2/models/:name\(suffix)")) { _, context in
                do {
                    return JSONResponse.make(OpenInference.metadata(of: try Self.model(context, service: service)))
                } catch let error as ServingError { return Self.failure(error, context) }
            }
            router.get(RouterPath("/v2/models/:name\(suffix)/ready")) { _, context in
                do {
                    let model = try Self.model(context, service: service)
                    return JSONResponse.make(.object([("name", .string(model.name)), ("ready", true)]))
                } catch let error as ServingError { return Self.failure(error, context) }
            }
            router.post(RouterPath("/v2/models/:name\(suffix)/infer")) { request, context in
                var chosen: ScoringModel?
                let requestID = RequestID.resolve(request.headers[.requestID])
                do {
                    // The version is chosen before the body is read: a request it refuses counts against it.
                    let model = try service.model(
                        named: context.parameters.get("name") ?? "", version: context.parameters.get("version"),
                        routingKey: request.headers[.kaizenRoutingKey])
                    chosen = model
                    context.notes.record(model: model, rows: 0)
                    let body: [UInt8]
                    do { body = Array(try await request.body.collect(upTo: bodyLimit).readableBytesView) } catch {
                        throw ServingError.tooLarge(limit: bodyLimit)
                    }
                    let field = request.headers[.inferenceHeaderContentLength]
                    let (header, binary) = try OpenInference.header(of: body, headerLength: field)
                    let result = try await service.infer(header, binary: binary, with: model)
                    log?.offer(requestID: requestID, feeds: result.feeds, prediction: result.prediction)
                    stats?.predictions(result.prediction)
                    context.notes.record(model: result.model, rows: result.rows)
                    var response: Response
                    if result.binary.isEmpty {
                        response = JSONResponse.make(result.header)
                    } else {
                        var payload = result.header.serialized()
                        let headerLength = payload.count
                        payload.append(contentsOf: result.binary)
                        response = Response(
                            status: .ok,
                            headers: [
                                .contentType: "application/octet-stream",
                                .inferenceHeaderContentLength: String(headerLength),
                            ],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: payload)))
                    }
                    response.headers[.requestID] = requestID
                    if let version = result.model.version { response.headers[.kaizenModelVersion] = version }
                    return response
                } catch let error as ServingError {
                    log?.offerRefusal(requestID: requestID, reason: error.message, version: chosen?.version)
                    var response = Self.failure(error, context)
                    response.headers[.requestID] = requestID
                    if let version = chosen?.version { response.headers[.kaizenModelVersion] = version }
                    return response
                }
            }
        }
    }

    /// The served model named by the path's `name` (and `version`).
    static func model(_ context: ServingContext, service: ScoringService) throws(ServingError) -> ScoringModel {
        try service.model(named: context.parameters.get("name") ?? "", version: context.parameters.get("version"))
    }

    /// `error` in the protocol's form, noted for the access log.
    static func failure(_ error: ServingError, _ context: ServingContext) -> Response {
        context.notes.record(error: error.message)
        return ScoringResponses.inferenceError(error)
    }
}

extension HTTPField.Name {
    /// The length of the JSON header of a body that carries binary tensor data.
    static let inferenceHeaderContentLength = Self("Inference-Header-Content-Length")!
}
