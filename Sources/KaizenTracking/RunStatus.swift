/// Where a run is in its life: MLflow's `RunStatus`.
public enum RunStatus: String, Sendable, CaseIterable {
    case running = "RUNNING"
    case scheduled = "SCHEDULED"
    case finished = "FINISHED"
    case failed = "FAILED"
    case killed = "KILLED"

    /// Parses the wire form: the enum name, or its protobuf number (1 to 5).
    public init?(wire: String) {
        let numbers = ["1": RunStatus.running, "2": .scheduled, "3": .finished, "4": .failed, "5": .killed]
        if let status = numbers[wire] ?? RunStatus(rawValue: wire.uppercased()) {
            self = status
        } else {
            return nil
        }
    }
}
