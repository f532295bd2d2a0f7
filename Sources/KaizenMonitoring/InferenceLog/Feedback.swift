public import KaizenCore

/// Ground truth for a logged prediction, sent later: the request's id, the row within the request (0 for a one-row
/// request), and the true label or value.
public struct Feedback: Sendable, Equatable {
    public var requestID: String
    public var row: Int
    public var label: FeedbackLabel
    /// When the control plane received it, in milliseconds since the epoch.
    public var receivedAt: Int64

    public init(requestID: String, row: Int = 0, label: FeedbackLabel, receivedAt: Int64 = 0) {
        self.requestID = requestID
        self.row = row
        self.label = label
        self.receivedAt = receivedAt
    }

    /// The most items one call takes.
    public static let maximumBatch = 10_000

    /// Feedback items from a request body: one object `{"request_id", "label"}` (with `row`, or with `label` a list
    /// holding one label per row of the request), a list of them, or `{"feedback": [...]}`.
    public static func items(from body: JSONValue, now: Int64 = currentTimeMillis()) throws(KaizenError) -> [Feedback] {
        let list: [JSONValue]
        switch body {
        case .array(let items): list = items
        case .object:
            if let nested = body["feedback"] {
                guard let items = nested.arrayValue else { throw .invalidParameter("'feedback' must be a list") }
                list = items
            } else {
                list = [body]
            }
        default: throw .invalidParameter("Feedback is an object {\"request_id\", \"label\"} or a list of them")
        }
        guard !list.isEmpty else { throw .invalidParameter("No feedback given") }
        var items: [Feedback] = []
        for (index, item) in list.enumerated() {
            let place = list.count > 1 ? "Feedback item \(index)" : "Feedback"
            guard case .object = item else { throw .invalidParameter("\(place) is not an object") }
            guard let id = item["request_id"]?.stringValue else {
                throw .invalidParameter("\(place) has no 'request_id' string")
            }
            guard !id.isEmpty, id.utf8.count <= 128, id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .invalidParameter("\(place): 'request_id' must be 1 to 128 visible ASCII characters")
            }
            guard let label = item["label"], label != .null else {
                throw .invalidParameter("\(place) (request \(id)) has no 'label'")
            }
            if case .array(let labels) = label {
                guard item["row"] == nil else {
                    throw .invalidParameter("\(place) (request \(id)): give 'row' with one label, not with a list")
                }
                guard !labels.isEmpty, labels.count <= maximumBatch else {
                    throw .invalidParameter(
                        "\(place) (request \(id)): the list of labels must hold 1 to \(maximumBatch)")
                }
                for (row, cell) in labels.enumerated() {
                    items.append(
                        Feedback(
                            requestID: id, row: row, label: try FeedbackLabel(cell, place: "\(place), row \(row)"),
                            receivedAt: now))
                }
            } else {
                var row = 0
                if let given = item["row"] {
                    guard case .integer(let value) = given, value >= 0, value < 1 << 31 else {
                        throw .invalidParameter("\(place) (request \(id)): 'row' must be a whole number >= 0")
                    }
                    row = Int(value)
                }
                items.append(
                    Feedback(requestID: id, row: row, label: try FeedbackLabel(label, place: place), receivedAt: now))
            }
            guard items.count <= maximumBatch else {
                throw .invalidParameter("At most \(maximumBatch) labels per call")
            }
        }
        return items
    }
}

/// A true label or value: a number (class ids, regression targets), a string (class names) or a boolean.
public enum FeedbackLabel: Sendable, Equatable, Hashable {
    case number(Double)
    case text(String)
    case bool(Bool)

    init(_ value: JSONValue, place: String) throws(KaizenError) {
        switch value {
        case .integer(let number): self = .number(Double(number))
        case .double(let number) where number.isFinite: self = .number(number)
        case .string(let text) where text.utf8.count <= 1024: self = .text(text)
        case .bool(let flag): self = .bool(flag)
        default:
            throw .invalidParameter(
                "\(place): a label is a finite number, a string of at most 1024 bytes or a boolean, not "
                    + String(decoding: value.serialized().prefix(100), as: UTF8.self))
        }
    }

    /// The label as stored: its JSON text.
    public var json: JSONValue {
        switch self {
        case .number(let number):
            number.wholeNumber.map(JSONValue.integer) ?? .double(number)
        case .text(let text): .string(text)
        case .bool(let flag): .bool(flag)
        }
    }

    /// A label read back from its JSON text.
    public init(stored text: String) throws(KaizenError) {
        let value: JSONValue
        do { value = try JSONValue(parsing: Array(text.utf8)) } catch {
            throw KaizenError(.internalError, "A stored label is not JSON: \(text.prefix(100))")
        }
        try self.init(value, place: "A stored label")
    }
}
