/// The operator domains Kaizen knows.
enum OperatorDomain: String, Sendable, Hashable {
    case onnx = "ai.onnx"
    case ml = "ai.onnx.ml"

    /// The domain a node or opset import names (`""` and `"ai.onnx"` are the same domain).
    init?(name: String) {
        switch name {
        case "", "ai.onnx": self = .onnx
        case "ai.onnx.ml": self = .ml
        default: return nil
        }
    }

    /// The newest opset of the domain Kaizen has checked its operators against.
    var newestOpset: Int {
        switch self {
        case .onnx: 28
        case .ml: 5
        }
    }
}
