/// Kaizen's own version, reported by the Open Inference Protocol's server metadata.
public let kaizenVersion = "0.4.0"

/// The MLflow version whose REST API this server speaks; `/version` reports it so clients pick the
/// matching code paths.
public let mlflowCompatibleVersion = "3.17.2"
