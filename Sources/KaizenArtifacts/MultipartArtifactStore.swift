/// An artifact store that takes large files as parts sent straight to the storage: MLflow's multipart upload
/// (`/mlflow-artifacts/mpu/create`, `complete`, `abort`), where the client PUTs each part to a presigned URL and the
/// server never sees the bytes. Stores without it (a local folder) answer those routes with `NOT_IMPLEMENTED`.
public protocol MultipartArtifactStore: ArtifactStore {
    /// Starts an upload of the file at `path` in `parts` parts and returns where each part goes.
    func createMultipartUpload(_ path: ArtifactPath, parts: Int) async throws -> MultipartUpload

    /// Assembles the uploaded parts into the file at `path`; it appears whole, or not at all when this throws.
    func completeMultipartUpload(_ path: ArtifactPath, uploadID: String, parts: [MultipartUploadPart]) async throws

    /// Discards an upload and whatever parts were sent.
    func abortMultipartUpload(_ path: ArtifactPath, uploadID: String) async throws
}

/// A multipart upload that has been started: its id and one presigned URL per part.
public struct MultipartUpload: Sendable, Equatable {
    /// Where to send one part: a URL, and headers the PUT must carry.
    public struct Credential: Sendable, Equatable {
        /// From 1.
        public var partNumber: Int
        /// A URL that accepts the part's bytes in a PUT without other credentials.
        public var url: String
        /// Headers to send with the PUT (none for S3).
        public var headers: [String: String]

        public init(partNumber: Int, url: String, headers: [String: String] = [:]) {
            self.partNumber = partNumber
            self.url = url
            self.headers = headers
        }
    }

    /// The storage's id of the upload, which `complete` and `abort` name.
    public var uploadID: String
    /// One credential per part, in part order.
    public var credentials: [Credential]

    public init(uploadID: String, credentials: [Credential]) {
        self.uploadID = uploadID
        self.credentials = credentials
    }
}

/// A part the client has uploaded: its number and the ETag the storage answered its PUT with.
public struct MultipartUploadPart: Sendable, Equatable {
    /// From 1.
    public var partNumber: Int
    /// The ETag of the part's PUT.
    public var etag: String

    public init(partNumber: Int, etag: String) {
        self.partNumber = partNumber
        self.etag = etag
    }
}
