import Hummingbird
import KaizenCore
import KaizenServing
import NIOCore

/// Response bodies of the scoring server: answers and errors in each protocol's form.
enum ScoringResponses {
    /// A serving error in MLflow's scoring protocol: its error JSON with the error's status (415s are plain text, as
    /// MLflow's).
    static func error(_ error: ServingError) -> Response {
        if error.status == 415 {
            return Response(
                status: .unsupportedMediaType, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: error.message)))
        }
        return JSONResponse.make(error.mlflowBody, status: HTTPResponse.Status(code: error.status))
    }

    /// A serving error in the Open Inference Protocol: `{"error": "..."}` with the error's status.
    static func inferenceError(_ error: ServingError) -> Response {
        JSONResponse.make(error.inferenceBody, status: HTTPResponse.Status(code: error.status))
    }

    /// FastAPI's `{"detail": ...}`, which `mlflow models serve` answers unknown paths and methods with.
    static func detail(_ text: String, status: HTTPResponse.Status) -> Response {
        JSONResponse.make(.object([("detail", .string(text))]), status: status)
    }
}
