/// ai.onnx.ml `TreeEnsemble` (opset 5): interior nodes and leaves in separate lists, integer enums, tensor weights.
struct TreeEnsembleV5Kernel<T: FloatElement>: Kernel {
    let forest: TreeEnsemble<T>
    let aggregate: TreeEnsembleRegressorKernel.Aggregate
    let transform: PostTransform

    init(_ context: NodeContext, splits: [T], leafWeights: [T], membership: [T]) throws(ONNXError) {
        let features = try context.required("nodes_featureids", context.int64s)
        let modeCodes = try context.required("nodes_modes", context.integerTensor)
        let trueIDs = try context.required("nodes_truenodeids", context.int64s)
        let trueLeaf = try context.required("nodes_trueleafs", context.int64s)
        let falseIDs = try context.required("nodes_falsenodeids", context.int64s)
        let falseLeaf = try context.required("nodes_falseleafs", context.int64s)
        let missing = try context.int64s("nodes_missing_value_tracks_true") ?? []
        let roots = try context.required("tree_roots", context.int64s)
        let leafTargets = try context.required("leaf_targetids", context.int64s)
        let targets = try context.int("n_targets", default: 1)
        let interior = features.count
        for (name, count) in [
            ("nodes_modes", modeCodes.count), ("nodes_splits", splits.count),
            ("nodes_truenodeids", trueIDs.count), ("nodes_trueleafs", trueLeaf.count),
            ("nodes_falsenodeids", falseIDs.count), ("nodes_falseleafs", falseLeaf.count),
        ] where count != interior {
            throw context.invalid("'\(name)' has \(count) entries for \(interior) nodes")
        }
        guard missing.isEmpty || missing.count == interior, leafTargets.count == leafWeights.count,
            targets >= 1, targets <= 1 << 20
        else {
            throw context.invalid("leaf or missing-value lists do not match")
        }
        let aggregates: [TreeEnsembleRegressorKernel.Aggregate] = [.average, .sum, .min, .max]
        let aggregateCode = try context.int("aggregate_function", default: 1)
        guard aggregates.indices.contains(aggregateCode) else {
            throw context.invalid("unknown aggregate_function \(aggregateCode)")
        }
        aggregate = aggregates[aggregateCode]
        transform = try PostTransform(code: try context.int("post_transform", default: 0), context)

        var forest = TreeEnsemble<T>()
        forest.targetCount = targets
        // Interior nodes first, then one node per leaf.
        func reference(_ id: Int64, isLeaf: Bool) throws(ONNXError) -> Int32 {
            let limit = isLeaf ? leafWeights.count : interior
            guard id >= 0, id < Int64(limit) else { throw context.invalid("node reference \(id) is out of range") }
            return Int32(isLeaf ? interior + Int(id) : Int(id))
        }
        var memberSets = membership.split(whereSeparator: { $0.isNaN }).map { Set($0) }.makeIterator()
        for i in 0..<interior {
            let codes: [TreeEnsemble<T>.Mode] = [
                .lessOrEqual, .less, .greaterOrEqual, .greater, .equal, .notEqual, .member,
            ]
            guard modeCodes[i] >= 0, modeCodes[i] < Int64(codes.count) else {
                throw context.unsupported("node mode \(modeCodes[i]) is not supported")
            }
            let mode = codes[Int(modeCodes[i])]
            if mode == .member {
                guard let set = memberSets.next() else {
                    throw context.invalid("a BRANCH_MEMBER node has no membership set")
                }
                forest.memberSets[i] = set
            }
            guard features[i] >= 0, features[i] < Int64(Int32.max) else {
                throw context.invalid("feature \(features[i])")
            }
            forest.nodes.append(
                .init(
                    threshold: splits[i], feature: Int32(features[i]),
                    trueChild: try reference(trueIDs[i], isLeaf: trueLeaf[i] != 0),
                    falseChild: try reference(falseIDs[i], isLeaf: falseLeaf[i] != 0)))
            forest.modes.append(mode)
            forest.missingGoesTrue.append(missing.isEmpty ? false : missing[i] != 0)
        }
        for j in 0..<leafWeights.count {
            forest.nodes.append(.init(threshold: 0, feature: -1, trueChild: Int32(j), falseChild: 1))
            forest.modes.append(.leaf)
            forest.missingGoesTrue.append(false)
            guard leafTargets[j] >= 0, leafTargets[j] < Int64(targets) else {
                throw context.invalid("leaf target \(leafTargets[j]) is outside 0..<\(targets)")
            }
            forest.leafTargets.append(Int32(leafTargets[j]))
            forest.leafWeights.append(leafWeights[j])
        }
        for root in roots {
            guard root >= 0, root < Int64(interior) else { throw context.invalid("tree root \(root) is out of range") }
            forest.roots.append(Int32(root))
        }
        try forest.seal(context)
        self.forest = forest
    }

    func run(_ inputs: [Value?]) throws(ONNXError) -> [Value] {
        let x = try tensor(inputs, 0, "TreeEnsemble X")
        guard x.elementType == T.elementType else {
            throw .invalidArgument("TreeEnsemble: X must be tensor(\(T.elementType)), got tensor(\(x.elementType))")
        }
        let rows = try TreeInput.rows(x, forest.featureCount, "TreeEnsemble")
        var scores = try TreeInput.scores(forest, x, rows: rows, aggregate: aggregate)
        if transform != .none {
            var floats = scores.map { Float($0.asDouble) }
            transform.apply(&floats, width: forest.targetCount)
            scores = floats.map { T(Double($0)) }
        }
        return [.tensor(Tensor(shape: [rows, forest.targetCount], values: scores))]
    }

    /// Builds the kernel in the precision of `nodes_splits` (float or double).
    static func make(_ context: NodeContext) throws(ONNXError) -> any Kernel {
        let splits = try context.required("nodes_splits", context.tensor)
        let weights = try context.required("leaf_weights", context.tensor)
        let membership = try context.tensor("membership_values")
        switch (splits.storage, weights.storage) {
        case (.float(let s), .float(let w)):
            return try TreeEnsembleV5Kernel<Float>(
                context, splits: s, leafWeights: w, membership: membership?.floats ?? [])
        case (.double(let s), .double(let w)):
            return try TreeEnsembleV5Kernel<Double>(
                context, splits: s, leafWeights: w, membership: membership?.doubles ?? [])
        default:
            throw context.unsupported("nodes_splits and leaf_weights must both be float or both double")
        }
    }
}
