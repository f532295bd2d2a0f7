import Hummingbird
import KaizenCore

/// Liveness, version and capability endpoints.
enum SystemRoutes {
    /// `multipartUploads` is reported in `server-info`, which is what tells MLflow's client to use the `mpu` routes.
    static func register<Context: RequestContext>(on router: Router<Context>, multipartUploads: Bool = false) {
        router.get("/health") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "OK")))
        }
        router.get("/version") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: mlflowCompatibleVersion)))
        }
        for prefix in ["/api", "/ajax-api"] {
            router.get(RouterPath("\(prefix)/3.0/mlflow/server-info")) { _, _ in
                JSONResponse.make(
                    .object([
                        ("store_type", "SqlStore"), ("workspaces_enabled", false),
                        ("multipart_uploads_enabled", .bool(multipartUploads)), ("multipart_downloads_enabled", false),
                        ("artifact_serving_enabled", true), ("artifacts_presigned_only", false),
                    ]))
            }
        }
    }
}
