import KaizenServing
import Synchronization

/// What a handler learned about its request; written by the handler, read by the access log after it returns.
final class RequestNotes: Sendable {
    struct Fields {
        var model: ScoringModel?
        var rows = 0
        var error: String?
    }

    let fields = Mutex(Fields())

    func record(model: ScoringModel, rows: Int) {
        fields.withLock {
            $0.model = model
            $0.rows = rows
        }
    }

    func record(error: String) {
        fields.withLock { $0.error = error }
    }
}
