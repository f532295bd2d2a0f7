public import KaizenCore

/// How to reach S3: endpoint, region and credentials, read from the variables boto3 and MLflow use.
public struct S3Configuration: Sendable, Equatable {
    /// Where requests go.
    public var endpoint: S3Endpoint
    /// The signing region.
    public var region: String
    /// The signing keys.
    public var credentials: S3Credentials
    /// How long presigned URLs stay valid, in seconds (botocore's default: an hour).
    public var presignedURLExpiry = 3600

    /// A configuration from its parts.
    public init(endpoint: S3Endpoint, region: String, credentials: S3Credentials) {
        self.endpoint = endpoint
        self.region = region
        self.credentials = credentials
    }

    /// Reads `MLFLOW_S3_ENDPOINT_URL` (path style when set, AWS otherwise), `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and `AWS_DEFAULT_REGION` (else `AWS_REGION`, else us-east-1).
    ///
    /// Throws `INVALID_PARAMETER_VALUE` when the keys are missing or the endpoint is not an http(s) URL: profiles,
    /// instance roles and other credential sources of the AWS SDKs are not read.
    public init(environment: [String: String]) throws(KaizenError) {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 }
        }
        if let url = value("MLFLOW_S3_ENDPOINT_URL") {
            guard let endpoint = S3Endpoint(url: url) else {
                throw .invalidParameter("MLFLOW_S3_ENDPOINT_URL must be an http(s) URL without a path, not '\(url)'")
            }
            self.endpoint = endpoint
        } else {
            self.endpoint = .aws
        }
        guard let accessKey = value("AWS_ACCESS_KEY_ID"), let secretKey = value("AWS_SECRET_ACCESS_KEY") else {
            throw .invalidParameter("S3 artifact storage needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        }
        self.credentials = S3Credentials(
            accessKeyID: accessKey, secretAccessKey: secretKey, sessionToken: value("AWS_SESSION_TOKEN"))
        self.region = value("AWS_DEFAULT_REGION") ?? value("AWS_REGION") ?? "us-east-1"
    }
}
