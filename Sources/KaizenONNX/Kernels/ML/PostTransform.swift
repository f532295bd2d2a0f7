import Foundation

/// The score transforms of ai.onnx.ml classifiers and regressors, computed as onnxruntime computes them.
enum PostTransform: String, Sendable {
    case none = "NONE"
    case softmax = "SOFTMAX"
    case logistic = "LOGISTIC"
    case softmaxZero = "SOFTMAX_ZERO"
    case probit = "PROBIT"

    /// The transform named by a node's `post_transform` string attribute (NONE when absent).
    init(_ context: NodeContext) throws(ONNXError) {
        let name = try context.string("post_transform", default: "NONE")
        guard let transform = PostTransform(rawValue: name) else {
            throw context.invalid("unknown post_transform '\(name)'")
        }
        self = transform
    }

    /// The transform for TreeEnsemble's integer `post_transform` (0 NONE, 1 SOFTMAX, 2 LOGISTIC, 3 SOFTMAX_ZERO, 4 PROBIT).
    init(code: Int, _ context: NodeContext) throws(ONNXError) {
        let all: [PostTransform] = [.none, .softmax, .logistic, .softmaxZero, .probit]
        guard all.indices.contains(code) else { throw context.invalid("unknown post_transform \(code)") }
        self = all[code]
    }

    /// Applies the transform in place to one row of scores.
    func apply(_ row: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .none: return
        case .logistic: for i in row.indices { row[i] = Self.logistic(row[i]) }
        case .probit: for i in row.indices { row[i] = Self.probit(row[i]) }
        case .softmax: Self.softmax(row)
        case .softmaxZero: Self.softmaxZero(row)
        }
    }

    /// Applies the transform to every row of an `n × width` score matrix.
    func apply(_ scores: inout [Float], width: Int) {
        guard self != .none, width > 0 else { return }
        scores.withUnsafeMutableBufferPointer { buffer in
            var start = 0
            while start < buffer.count {
                apply(UnsafeMutableBufferPointer(rebasing: buffer[start..<(start + width)]))
                start += width
            }
        }
    }

    /// Transforms one row of scores in place, as onnxruntime's `batched_update_scores_inplace` does for one batch
    /// when no second column is added: a single score only goes through PROBIT.
    func applyBatchedRow(_ scores: inout [Float], _ range: Range<Int>) {
        if range.count == 1 {
            if self == .probit { scores[range.lowerBound] = Self.probit(scores[range.lowerBound]) }
            return
        }
        switch self {
        case .none:
            return
        case .probit:
            for index in range { scores[index] = Self.probit(scores[index]) }
        case .logistic:
            for index in range { scores[index] = SVMOperators.approximateLogistic(scores[index]) }
        case .softmax, .softmaxZero:
            var maximum = -Float.greatestFiniteMagnitude
            for index in range where scores[index] > maximum { maximum = scores[index] }
            var sum: Float = 0
            if self == .softmax {
                for index in range {
                    scores[index] = expf(scores[index] - maximum)
                    sum += scores[index]
                }
            } else {
                // SOFTMAX_ZERO leaves (near-)zero scores at zero instead of giving them exp(0 − max).
                let scale = expf(-maximum)
                for index in range {
                    if scores[index] > 0.0000001 || scores[index] < -0.0000001 {
                        scores[index] = expf(scores[index] - maximum)
                        sum += scores[index]
                    } else {
                        scores[index] *= scale
                    }
                }
            }
            for index in range { scores[index] /= sum }
        }
    }

    @inline(__always)
    static func logistic(_ x: Float) -> Float {
        let v = 1 / (1 + expf(-abs(x)))
        return x < 0 ? 1 - v : v
    }

    /// `sqrt(2) · erfinv(2x − 1)` with onnxruntime's approximate inverse error function (Winitzki, a = 0.147).
    static func probit(_ x: Float) -> Float {
        1.41421356 * erfInverse(x * 2 - 1)
    }

    static func erfInverse(_ value: Float) -> Float {
        let sign: Float = value < 0 ? -1 : 1
        let x = (1 - value) * (1 + value)
        let log = logf(x)
        let v: Float = 2 / (Float(Double.pi) * 0.147) + 0.5 * log
        let v2: Float = 1 / 0.147 * log
        let v3 = -v + (v * v - v2).squareRoot()
        return sign * v3.squareRoot()
    }

    static func softmax(_ row: UnsafeMutableBufferPointer<Float>) {
        var peak = -Float.greatestFiniteMagnitude
        for value in row { peak = max(peak, value) }
        var sum: Float = 0
        for i in row.indices {
            row[i] = expf(row[i] - peak)
            sum += row[i]
        }
        for i in row.indices { row[i] /= sum }
    }

    /// Softmax over the scores that are not (almost) zero; those are only scaled by e^−max, as onnxruntime does.
    static func softmaxZero(_ row: UnsafeMutableBufferPointer<Float>) {
        var peak = -Float.greatestFiniteMagnitude
        for value in row { peak = max(peak, value) }
        let scale = expf(-peak)
        var sum: Float = 0
        for i in row.indices {
            if row[i] > 0.0000001 || row[i] < -0.0000001 {
                row[i] = expf(row[i] - peak)
                sum += row[i]
            } else {
                row[i] *= scale
            }
        }
        for i in row.indices { row[i] /= sum }
    }
}
