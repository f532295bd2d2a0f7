/// Shared input handling of the tree operators.
enum TreeInput {
    /// The number of rows of a 1-D or 2-D input, checked against the features the trees read.
    static func rows(_ x: Tensor, _ featureCount: Int, _ what: String) throws(ONNXError) -> Int {
        let (rows, columns) = try x.matrixShape("\(what) X")
        guard columns >= featureCount else {
            throw .invalidArgument("\(what): X has \(columns) features, the trees read feature \(featureCount - 1)")
        }
        return rows
    }

    /// Raw aggregated scores, `rows × forest.targetCount`.
    static func scores<T: FloatElement>(
        _ forest: TreeEnsemble<T>, _ x: Tensor, rows: Int, aggregate: TreeEnsembleRegressorKernel.Aggregate
    ) throws(ONNXError) -> [T] {
        let values: [T]
        if let typed = T.values(x.storage) {
            values = typed
        } else {
            values = try x.floatValues("tree ensemble X").map { T(Double($0)) }
        }
        let stride = rows == 0 ? 0 : values.count / rows
        let targets = forest.targetCount
        return values.withUnsafeBufferPointer { x -> [T] in
            guard let base = x.baseAddress, rows > 0 else { return [T](repeating: 0, count: rows * targets) }
            switch aggregate {
            case .sum, .average:
                var scores = [T](repeating: 0, count: rows * targets)
                scores.withUnsafeMutableBufferPointer {
                    forest.accumulate(base, rows: rows, stride: stride, into: $0.baseAddress!)
                }
                if aggregate == .average, forest.treeCount > 0 {
                    let trees = T(forest.treeCount)
                    for index in scores.indices { scores[index] /= trees }
                }
                return scores
            case .min, .max:
                var scores = [T](repeating: 0, count: rows * targets)
                var seen = [Bool](repeating: false, count: rows * targets)
                forest.forEachLeafWeight(base, rows: rows, stride: stride) { row, target, weight in
                    let index = row * targets + target
                    if !seen[index] {
                        scores[index] = weight
                        seen[index] = true
                    } else if aggregate == .min ? weight < scores[index] : weight > scores[index] {
                        scores[index] = weight
                    }
                }
                return scores
            }
        }
    }
}
