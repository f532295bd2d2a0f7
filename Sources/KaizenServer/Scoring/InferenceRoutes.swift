import HTTPTypes
import Hummingbird
import KaizenCore
import KaizenONNX
import KaizenServing
import NIOCore

/// The Open Inference Protocol v2 over HTTP/JSON (KServe, Triton): health, server and model metadata, `infer`.
enum InferenceRoutes {
    static func register(on router: Router<ServingContext>, engine: ScoringEngine, bodyLimit: Int) {
        router.get("/v2/health/live") { _, _ in JSONResponse.make(.object([("live", true)])) }
        router.get("/v2/health/ready") { _, _ in JSONResponse.make(.object([("ready", true)])) }
        router.get("/v2") { _, _ in
            JSONResponse.make(
                .object([("name", "kaizen"), ("version", .string(kaizenVersion)), ("extensions", .array([]))]))
        }
        for suffix in ["", "/versions/:version"] {
            router.get(RouterPath("/v2/models/:name\(suffix)")) { _, context in
                let model = try Self.model(context, engine: engine)
                return JSONResponse.make(OpenInference.metadata(of: model))
            }
            router.get(RouterPath("/v2/models/:name\(suffix)/ready")) { _, context in
                let model = try Self.model(context, engine: engine)
                return JSONResponse.make(.object([("name", .string(model.name)), ("ready", true)]))
            }
            router.post(RouterPath("/v2/models/:name\(suffix)/infer")) { request, context in
                let model = try Self.model(context, engine: engine)
                do {
                    let buffer: ByteBuffer
                    do { buffer = try await request.body.collect(upTo: bodyLimit) } catch {
                        throw OpenInference.Failure(status: 413, "Request body is larger than \(bodyLimit) bytes")
                    }
                    // With the binary data extension the JSON header is the first Inference-Header-Content-Length
                    // bytes and the tensors' raw bytes follow.
                    var bytes = Array(buffer.readableBytesView)
                    var binary: [UInt8] = []
                    if let field = request.headers[.inferenceHeaderContentLength] {
                        guard let length = Int(field), length >= 0, length <= bytes.count else {
                            throw OpenInference.Failure(
                                "Inference-Header-Content-Length \(field) does not fit the body of \(bytes.count) bytes"
                            )
                        }
                        binary = Array(bytes[length...])
                        bytes.removeSubrange(length...)
                    }
                    let body: JSONValue
                    do { body = try JSONValue(parsing: bytes) } catch {
                        throw OpenInference.Failure("The request header is not valid JSON: \(error)")
                    }
                    let decoded = try OpenInference.request(body, binary: binary, for: model)
                    context.notes.record(model: model, rows: decoded.rows)
                    let outputs: [String: Value]
                    do { outputs = try await engine.score(decoded.feeds, rows: decoded.rows, with: model) } catch {
                        throw OpenInference.Failure((error as? ScoringError)?.message ?? "\(error)")
                    }
                    let (header, binaryOutputs) = OpenInference.response(outputs, request: decoded, model: model)
                    guard !binaryOutputs.isEmpty else { return JSONResponse.make(header) }
                    var payload = header.serialized()
                    let headerLength = payload.count
                    payload.append(contentsOf: binaryOutputs)
                    return Response(
                        status: .ok,
                        headers: [
                            .contentType: "application/octet-stream",
                            .inferenceHeaderContentLength: String(headerLength),
                        ],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: payload)))
                } catch let failure as OpenInference.Failure {
                    context.notes.record(error: failure.message)
                    return JSONResponse.make(failure.body, status: HTTPResponse.Status(code: failure.status))
                }
            }
        }
    }

    /// The served model when the path names it (and, if given, its version); a 404 in the protocol's form otherwise.
    static func model(_ context: ServingContext, engine: ScoringEngine) throws -> ScoringModel {
        let model = engine.slot.model
        let name = context.parameters.get("name") ?? ""
        let version = context.parameters.get("version")
        guard name == model.name, version == nil || version == model.version else {
            let known = model.name + (model.version.map { " version \($0)" } ?? "")
            let asked = name + (version.map { " version \($0)" } ?? "")
            throw NotServed(message: "Model \(asked) is not served here; this server serves \(known)")
        }
        return model
    }

    struct NotServed: HTTPResponseError {
        let message: String
        var status: HTTPResponse.Status { .notFound }
        func response(from request: Request, context: some RequestContext) throws -> Response {
            JSONResponse.make(.object([("error", .string(message))]), status: .notFound)
        }
    }
}

extension HTTPField.Name {
    /// The length of the JSON header of a body that carries binary tensor data.
    static let inferenceHeaderContentLength = Self("Inference-Header-Content-Length")!
}
