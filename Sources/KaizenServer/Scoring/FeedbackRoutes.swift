import Hummingbird
import KaizenClient
import KaizenCore
import KaizenMonitoring
import KaizenServing
import NIOCore

/// `POST /feedback` on a scoring server that keeps an inference log: true labels for requests it answered, by the
/// `X-Request-Id` it gave them, passed to the control plane where they are joined to the logged predictions.
enum FeedbackRoutes {
    /// The largest feedback body accepted.
    static let bodyLimit = 16 << 20

    static func register(on router: Router<ServingContext>, logging: ServingConfiguration.InferenceLogging?) {
        router.post("/feedback") { request, _ in
            guard let logging else {
                return ScoringResponses.error(
                    .notServed(
                        "This server keeps no inference log, so it takes no feedback; start it with --inference-log"))
            }
            do {
                let body: ByteBuffer
                do { body = try await request.body.collect(upTo: bodyLimit) } catch {
                    throw ServingError.tooLarge(limit: bodyLimit)
                }
                let value: JSONValue
                do { value = try JSONValue(parsing: body.readableBytesView) } catch {
                    throw ServingError.badRequest("The feedback is not valid JSON: \(error)")
                }
                let items: [Feedback]
                do { items = try Feedback.items(from: value) } catch let error as KaizenError {
                    throw ServingError.badRequest(error.message)
                }
                let forwarded = JSONValue.object([
                    ("endpoint", .string(logging.name)), ("feedback", .array(items.map(\.json))),
                ])
                let answer: JSONValue
                do {
                    answer = try await logging.client.call("monitor/feedback", namespace: "kaizen", post: forwarded)
                } catch {
                    throw ServingError(
                        status: 503, code: "TEMPORARILY_UNAVAILABLE",
                        message: "The control plane did not take the feedback: \(error)")
                }
                return JSONResponse.make(answer)
            } catch let error as ServingError {
                return ScoringResponses.error(error)
            }
        }
    }
}

extension Feedback {
    /// The item as the control plane takes it.
    var json: JSONValue {
        .object([("request_id", .string(requestID)), ("row", .integer(Int64(row))), ("label", label.json)])
    }
}
