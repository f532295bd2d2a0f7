/// Class labels of an ai.onnx.ml classifier: integers or strings.
enum ClassLabels: Sendable {
    case int64([Int64])
    case string([String])

    /// The labels from `classlabels_ints`/`classlabels_int64s` or `classlabels_strings`.
    init(_ context: NodeContext, intsKey: String, stringsKey: String = "classlabels_strings") throws(ONNXError) {
        if let strings = try context.strings(stringsKey), !strings.isEmpty {
            self = .string(strings)
        } else if let ints = try context.int64s(intsKey) {
            self = .int64(ints)
        } else {
            throw context.invalid("needs '\(intsKey)' or '\(stringsKey)'")
        }
    }

    var count: Int {
        switch self {
        case .int64(let labels): labels.count
        case .string(let labels): labels.count
        }
    }

    /// A label tensor from class indices (an index past the labels gives the last label, never a crash).
    func tensor(_ indices: [Int], shape: [Int]) -> Tensor {
        switch self {
        case .int64(let labels):
            Tensor(
                unchecked: shape, .int64(indices.map { labels.isEmpty ? Int64($0) : labels[min($0, labels.count - 1)] })
            )
        case .string(let labels):
            Tensor(
                unchecked: shape,
                .string(indices.map { labels.isEmpty ? String($0) : labels[min($0, labels.count - 1)] }))
        }
    }
}
