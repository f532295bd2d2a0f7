/// Receives registry events after the change that caused them is committed. Must not block.
public protocol RegistryEventSink: Sendable {
    func publish(_ event: RegistryEvent)
}
