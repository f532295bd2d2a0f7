public import ServiceLifecycle

/// Loads a server's first plan (its model, or an endpoint's versions) into its empty slot while the server already
/// listens (live, not ready), then stays until shutdown. A load that fails ends the service with its error, which
/// stops the server.
public struct ModelLoader: Service {
    public let slot: ModelSlot
    public let load: @Sendable () async throws -> ServingPlan

    public init(slot: ModelSlot, load: @escaping @Sendable () async throws -> ServingPlan) {
        self.slot = slot
        self.load = load
    }

    public func run() async throws {
        slot.replace(with: try await load())
        // Returning would end the service group; the loader stays until the server stops.
        try? await gracefulShutdown()
    }
}
