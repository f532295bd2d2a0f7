/// Where monitoring keeps its records: the inference log's segments (their bytes are in the artifact store) and the
/// feedback joined to them, alert rules and the alerts they fired.
public protocol MonitorStore: Sendable {
    /// Records `segment`; false, and nothing changed, when the store already has the endpoint's segment with that
    /// replica and sequence (a replica that resends after a lost answer).
    func addSegment(_ segment: InferenceSegment) async throws -> Bool
    /// The endpoint's segment with that replica and sequence, if stored.
    func segment(endpoint: String, replicaID: String, sequence: Int64) async throws -> InferenceSegment?
    /// The endpoint's segments with a record in `[from, to)` (epoch milliseconds; nil is open), oldest first.
    func segments(endpoint: String, from: Int64?, to: Int64?) async throws -> [InferenceSegment]
    /// Keeps feedback for `endpoint`; a label sent again for the same request and row replaces the earlier one.
    func addFeedback(_ items: [Feedback], endpoint: String) async throws
    /// The endpoint's feedback for these requests.
    func feedback(endpoint: String, requestIDs: [String]) async throws -> [Feedback]
    /// Replaces the endpoint's alert rules; an empty list removes them.
    func setRules(_ rules: MonitorRules) async throws
    /// The alert rules of every endpoint that has some.
    func allRules() async throws -> [MonitorRules]
    /// Records `alert` once per endpoint, rule, window and version, together with its record in the audit trail of
    /// `modelName`; false, and nothing written, when it was already recorded.
    func recordAlert(_ alert: MonitorAlert, modelName: String) async throws -> Bool
    /// The endpoint's alerts, newest first.
    func alerts(endpoint: String, limit: Int) async throws -> [MonitorAlert]
}
