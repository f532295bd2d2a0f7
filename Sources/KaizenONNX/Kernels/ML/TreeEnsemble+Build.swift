extension TreeEnsemble {
    /// Builds a forest from the `nodes_*` attributes of TreeEnsembleClassifier/Regressor (ai.onnx.ml opsets 1–3),
    /// with leaf weights from `weightPrefix` (`class` or `target`).
    init(
        legacy context: NodeContext, weightPrefix: String, targetCount: Int, singleScore: Bool = false,
        thresholds: [Threshold], weights: [Threshold]
    ) throws(ONNXError) {
        let treeIDs = try context.required("nodes_treeids", context.int64s)
        let nodeIDs = try context.required("nodes_nodeids", context.int64s)
        let features = try context.required("nodes_featureids", context.int64s)
        let modeNames = try context.required("nodes_modes", context.strings)
        let trueIDs = try context.int64s("nodes_truenodeids") ?? []
        let falseIDs = try context.int64s("nodes_falsenodeids") ?? []
        let missing = try context.int64s("nodes_missing_value_tracks_true") ?? []
        let count = treeIDs.count
        guard count > 0 else { throw context.invalid("the ensemble has no nodes") }
        for (name, array) in [
            ("nodes_nodeids", nodeIDs.count), ("nodes_featureids", features.count),
            ("nodes_modes", modeNames.count), ("nodes_values", thresholds.count),
        ] where array != count {
            throw context.invalid("'\(name)' has \(array) entries for \(count) nodes")
        }
        guard trueIDs.count == count, falseIDs.count == count, missing.isEmpty || missing.count == count else {
            throw context.invalid("child and missing-value lists do not match the \(count) nodes")
        }
        let weightTrees = try context.required("\(weightPrefix)_treeids", context.int64s)
        let weightNodes = try context.required("\(weightPrefix)_nodeids", context.int64s)
        let weightTargets = try context.required("\(weightPrefix)_ids", context.int64s)
        guard weightNodes.count == weightTrees.count, weightTargets.count == weightTrees.count,
            weights.count == weightTrees.count
        else {
            throw context.invalid("the \(weightPrefix)_* lists have different lengths")
        }

        var indexOf: [NodeKey: Int] = [:]
        indexOf.reserveCapacity(count)
        for i in 0..<count {
            let key = NodeKey(tree: treeIDs[i], node: nodeIDs[i])
            guard indexOf[key] == nil else {
                throw context.invalid("node \(nodeIDs[i]) of tree \(treeIDs[i]) is defined twice")
            }
            indexOf[key] = i
        }
        self.init()
        self.targetCount = singleScore ? 1 : targetCount
        nodes.reserveCapacity(count)
        var seenTrees = Set<Int64>()
        for i in 0..<count {
            // The first node listed for a tree is its root, as onnxruntime reads it.
            if seenTrees.insert(treeIDs[i]).inserted { roots.append(Int32(i)) }
            guard let mode = Self.mode(named: modeNames[i]) else {
                throw context.unsupported("node mode '\(modeNames[i])' is not supported")
            }
            modes.append(mode)
            missingGoesTrue.append(missing.isEmpty ? false : missing[i] != 0)
            if mode == .leaf {
                nodes.append(Node(threshold: 0, feature: -1, trueChild: 0, falseChild: 0))
                continue
            }
            guard let trueChild = indexOf[NodeKey(tree: treeIDs[i], node: trueIDs[i])],
                let falseChild = indexOf[NodeKey(tree: treeIDs[i], node: falseIDs[i])]
            else {
                throw context.invalid("node \(nodeIDs[i]) of tree \(treeIDs[i]) points at a child that does not exist")
            }
            guard features[i] >= 0, features[i] < Int64(Int32.max) else {
                throw context.invalid("node \(nodeIDs[i]) of tree \(treeIDs[i]) has feature \(features[i])")
            }
            nodes.append(
                Node(
                    threshold: thresholds[i], feature: Int32(features[i]), trueChild: Int32(trueChild),
                    falseChild: Int32(falseChild)))
        }

        // Leaf weights: inline when every leaf has at most one weight and it is for target 0.
        var perLeaf: [Int: [(target: Int32, weight: Threshold)]] = [:]
        for j in 0..<weightTrees.count {
            guard let leaf = indexOf[NodeKey(tree: weightTrees[j], node: weightNodes[j])] else {
                throw context.invalid(
                    "a weight is attached to node \(weightNodes[j]) of tree \(weightTrees[j]), which does not exist")
            }
            guard modes[leaf] == .leaf else {
                throw context.invalid(
                    "a weight is attached to node \(weightNodes[j]) of tree \(weightTrees[j]), which is not a leaf")
            }
            guard weightTargets[j] >= 0, weightTargets[j] < Int64(targetCount) else {
                throw context.invalid("\(weightPrefix)_ids has \(weightTargets[j]), outside 0..<\(targetCount)")
            }
            perLeaf[leaf, default: []].append((singleScore ? 0 : Int32(weightTargets[j]), weights[j]))
        }
        inlineLeaves =
            self.targetCount == 1 || perLeaf.values.allSatisfy { $0.count <= 1 && ($0.first?.target ?? 0) == 0 }
        if inlineLeaves && self.targetCount == 1 {
            for (leaf, entries) in perLeaf {
                nodes[leaf].threshold = entries.reduce(0) { $0 + $1.weight }
            }
        } else {
            inlineLeaves = false
            for leaf in 0..<count where modes[leaf] == .leaf {
                let entries = perLeaf[leaf] ?? []
                nodes[leaf].trueChild = Int32(leafTargets.count)
                nodes[leaf].falseChild = Int32(entries.count)
                for entry in entries {
                    leafTargets.append(entry.target)
                    leafWeights.append(entry.weight)
                }
            }
        }
        try seal(context)
    }

    struct NodeKey: Hashable {
        let tree: Int64
        let node: Int64
    }

    static func mode(named name: String) -> Mode? {
        switch name {
        case "BRANCH_LEQ": .lessOrEqual
        case "BRANCH_LT": .less
        case "BRANCH_GTE": .greaterOrEqual
        case "BRANCH_GT": .greater
        case "BRANCH_EQ": .equal
        case "BRANCH_NEQ": .notEqual
        case "LEAF": .leaf
        default: nil
        }
    }
}
