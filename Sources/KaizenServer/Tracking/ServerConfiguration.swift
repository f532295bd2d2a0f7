/// How a Kaizen server is set up: where it listens and where it keeps data.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// A SQLite path or `sqlite:///` URI.
    public var backendStoreURI: String
    /// The folder behind the artifact proxy.
    public var artifactsDestination: String
    /// Where new experiments keep artifacts; `mlflow-artifacts:/` sends clients through the proxy.
    public var defaultArtifactRoot: String
    /// Host header values accepted besides loopback names and the listening address; `*` accepts any.
    public var allowedHosts: [String]
    /// The largest JSON request body accepted, in bytes.
    public var maxRequestBodySize: Int
    /// The directory that relative artifact locations are resolved against.
    public var workingDirectory: String
    /// URL schemes webhooks may use (MLflow's default: `https` only).
    public var webhookAllowedSchemes: Set<String> = ["https"]
    /// Whether webhooks may target loopback and private networks.
    public var webhookAllowPrivateAddresses = false
    /// Deliveries per event before a webhook delivery is marked failed.
    public var webhookMaxAttempts = 4

    public init(
        host: String = "127.0.0.1", port: Int = 5000, backendStoreURI: String = "sqlite:///mlflow.db",
        artifactsDestination: String = "./mlartifacts", defaultArtifactRoot: String = "mlflow-artifacts:/",
        allowedHosts: [String] = [], maxRequestBodySize: Int = 64 * 1024 * 1024, workingDirectory: String = "."
    ) {
        self.host = host
        self.port = port
        self.backendStoreURI = backendStoreURI
        self.artifactsDestination = artifactsDestination
        self.defaultArtifactRoot = defaultArtifactRoot
        self.allowedHosts = allowedHosts
        self.maxRequestBodySize = maxRequestBodySize
        self.workingDirectory = workingDirectory
    }
}

/// The MLflow version whose REST API this server speaks; `/version` reports it so clients pick the
/// matching code paths.
public let mlflowCompatibleVersion = "3.17.2"
