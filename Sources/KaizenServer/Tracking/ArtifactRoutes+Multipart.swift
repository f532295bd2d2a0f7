import Hummingbird
import KaizenArtifacts
import KaizenCore

/// MLflow's multipart upload routes (`/mlflow-artifacts/mpu/create|complete|abort/<dir>`): the client names the
/// file in the body's `path` (its local path, of which only the file name counts, as MLflow's `os.path.basename`),
/// sends the parts straight to the presigned URLs that `create` answers, then asks for `complete` or `abort`.
extension ArtifactRoutes {
    /// The largest `mpu` request body: a `complete` for 10,000 parts is about 1.5 MB.
    static let multipartBodyLimit = 8 * 1024 * 1024

    static func registerMultipart<Context: RequestContext>(
        on router: Router<Context>, prefix: String, store: any ArtifactStore
    ) {
        router.post(RouterPath("\(prefix)/mpu/create/**")) { request, _ in
            let (path, message) = try await multipartRequest(request, action: "create", prefix: prefix)
            let parts = try message.int64("num_parts") ?? 1
            let multipart = try multipartStore(store)
            guard let count = Int(exactly: parts) else {
                throw KaizenError.invalidValue(String(parts), for: "num_parts")
            }
            let upload = try await multipart.createMultipartUpload(path, parts: count)
            return JSONResponse.make(
                .fields(
                    ("upload_id", .string(upload.uploadID)),
                    (
                        "credentials",
                        .repeated(upload.credentials) { credential in
                            .fields(
                                ("url", .string(credential.url)),
                                ("part_number", .integer(Int64(credential.partNumber))),
                                (
                                    "headers",
                                    .object(
                                        credential.headers.sorted { $0.key < $1.key }.map {
                                            ($0.key, JSONValue.string($0.value))
                                        })
                                ))
                        }
                    )))
        }
        router.post(RouterPath("\(prefix)/mpu/complete/**")) { request, _ in
            let (path, message) = try await multipartRequest(request, action: "complete", prefix: prefix)
            let uploadID = try message.requireString("upload_id")
            let parts = try message.messages("parts").map { part throws(KaizenError) in
                guard let number = try part.int64("part_number"), let partNumber = Int(exactly: number) else {
                    throw KaizenError.missingParameter("parts.part_number")
                }
                return MultipartUploadPart(partNumber: partNumber, etag: try part.string("etag") ?? "")
            }
            guard !parts.isEmpty else { throw KaizenError.missingParameter("parts") }
            try await multipartStore(store).completeMultipartUpload(path, uploadID: uploadID, parts: parts)
            return JSONResponse.empty
        }
        router.post(RouterPath("\(prefix)/mpu/abort/**")) { request, _ in
            let (path, message) = try await multipartRequest(request, action: "abort", prefix: prefix)
            let uploadID = try message.requireString("upload_id")
            try await multipartStore(store).abortMultipartUpload(path, uploadID: uploadID)
            return JSONResponse.empty
        }
    }

    /// MLflow's message for a store without multipart uploads: the client falls back to a single PUT only when the
    /// 501's message starts with exactly these words (`_UnsupportedMultipartUploadException.MESSAGE`).
    static let unsupportedMultipartMessage = "Multipart upload is not supported for the current artifact repository"

    /// The store's multipart side; `NOT_IMPLEMENTED` (501) for a store without one, as MLflow answers for a local
    /// folder.
    static func multipartStore(_ store: any ArtifactStore) throws(KaizenError) -> any MultipartArtifactStore {
        guard let multipart = store as? any MultipartArtifactStore else {
            throw KaizenError(.notImplemented, unsupportedMultipartMessage)
        }
        return multipart
    }

    /// The file's artifact path (the URL's directory, checked for traversal first, then the file name of the
    /// body's `path`) and the request's fields.
    static func multipartRequest(
        _ request: Request, action: String, prefix: String
    ) async throws -> (ArtifactPath, RequestMessage) {
        let directory = try Self.path(of: request, after: "\(prefix)/mpu/\(action)/")
        let message = try await RequestMessage.decodeFields(request, limit: multipartBodyLimit)
        let local = try message.requireString("path")
        // The text after the last `/`: a path that ends with one names no file.
        let name = local.lastIndex(of: "/").map { String(local[local.index(after: $0)...]) } ?? local
        // Taken as it is, like MLflow's basename: it comes from a JSON body, not a URL, so it is not percent-decoded.
        guard !name.isEmpty, name != ".", name != "..", !name.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw ArtifactPath.invalid
        }
        return (directory.appending(name), message)
    }
}
