public import KaizenClient
public import KaizenServing

/// The settings of `kaizen models serve`.
public struct ServingConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Largest request body accepted.
    public var maxRequestBodySize: Int
    /// Micro-batching settings; `nil` scores each request on its own.
    public var batching: MicroBatcher.Configuration?
    public var accessLog: Bool
    /// Where and how the inference log is kept; nil logs nothing.
    public var inferenceLogging: InferenceLogging?

    /// The inference log's settings: the name its records go under (the endpoint's), the control plane that keeps
    /// them, sampling and queueing, and segment rotation.
    public struct InferenceLogging: Sendable {
        public var name: String
        public var client: TrackingClient
        public var log: InferenceLog.Settings
        public var shipping: InferenceShipper.Settings

        public init(
            name: String, client: TrackingClient, log: InferenceLog.Settings = .init(),
            shipping: InferenceShipper.Settings = .init()
        ) {
            self.name = name
            self.client = client
            self.log = log
            self.shipping = shipping
        }
    }

    public init(
        host: String = "127.0.0.1", port: Int = 5000, maxRequestBodySize: Int = 64 << 20,
        batching: MicroBatcher.Configuration? = .init(), accessLog: Bool = true,
        inferenceLogging: InferenceLogging? = nil
    ) {
        self.host = host
        self.port = port
        self.maxRequestBodySize = maxRequestBodySize
        self.batching = batching
        self.accessLog = accessLog
        self.inferenceLogging = inferenceLogging
    }
}
