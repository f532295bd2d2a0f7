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

    public init(
        host: String = "127.0.0.1", port: Int = 5000, maxRequestBodySize: Int = 64 << 20,
        batching: MicroBatcher.Configuration? = .init(), accessLog: Bool = true
    ) {
        self.host = host
        self.port = port
        self.maxRequestBodySize = maxRequestBodySize
        self.batching = batching
        self.accessLog = accessLog
    }
}
