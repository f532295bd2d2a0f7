import Foundation
import KaizenCore

/// How a Kaizen tracking server is set up: where it listens and how it answers. Where it keeps data is the stores'
/// business (`ServerStores`).
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
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
    /// How often the rollout controller evaluates the rollouts in progress.
    public var rolloutInterval: Duration = .seconds(1)
    /// How long replicas' reports are kept (longer while a rollout in progress started before).
    public var reportRetention: Duration = .seconds(24 * 3600)
    /// How often monitoring rules are evaluated.
    public var monitorInterval: Duration = .seconds(30)
    /// How long after a window ends its rules are first evaluated (the replicas' segments arrive meanwhile).
    public var monitorGrace: Duration = .seconds(90)
    /// The web UI's same-origin token (`UITokenMiddleware`): random per process unless replicas share a secret
    /// (`uiToken(secret:)`).
    public var uiToken: String = ServerConfiguration.uiToken(secret: nil)

    /// A UI token: derived from `secret`, so replicas given the same secret accept each other's pages, or random.
    public static func uiToken(secret: String?) -> String {
        let bytes: [UInt8]
        if let secret, !secret.isEmpty {
            bytes = SHA256.hmac(key: Array(secret.utf8), message: Array("kaizen-ui-token".utf8))
        } else {
            bytes = (0..<32).map { _ in UInt8.random(in: 0...255) }
        }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    public init(
        host: String = "127.0.0.1", port: Int = 5000, defaultArtifactRoot: String = "mlflow-artifacts:/",
        allowedHosts: [String] = [], maxRequestBodySize: Int = 64 * 1024 * 1024, workingDirectory: String = "."
    ) {
        self.host = host
        self.port = port
        self.defaultArtifactRoot = defaultArtifactRoot
        self.allowedHosts = allowedHosts
        self.maxRequestBodySize = maxRequestBodySize
        self.workingDirectory = workingDirectory
    }
}
