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

        let indexOf = try NodeIndex(trees: treeIDs, nodes: nodeIDs, context)
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
            guard let trueChild = indexOf.find(tree: treeIDs[i], node: trueIDs[i]),
                let falseChild = indexOf.find(tree: treeIDs[i], node: falseIDs[i])
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
        // Leaf weights: checked, then either summed into the leaf (one target) or laid out leaf by leaf.
        var leafOf = [Int](repeating: 0, count: weightTrees.count)
        var weightsPerLeaf = [Int32](repeating: 0, count: count)
        for j in 0..<weightTrees.count {
            guard let leaf = indexOf.find(tree: weightTrees[j], node: weightNodes[j]) else {
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
            leafOf[j] = leaf
            weightsPerLeaf[leaf] += 1
        }
        inlineLeaves = self.targetCount == 1
        if inlineLeaves {
            for j in 0..<weightTrees.count { nodes[leafOf[j]].threshold += weights[j] }
        } else {
            var next = [Int32](repeating: 0, count: count)
            var total: Int32 = 0
            for leaf in 0..<count where modes[leaf] == .leaf {
                nodes[leaf].trueChild = total
                nodes[leaf].falseChild = weightsPerLeaf[leaf]
                next[leaf] = total
                total += weightsPerLeaf[leaf]
            }
            leafTargets = [Int32](repeating: 0, count: Int(total))
            leafWeights = [Threshold](repeating: 0, count: Int(total))
            for j in 0..<weightTrees.count {
                let slot = Int(next[leafOf[j]])
                next[leafOf[j]] += 1
                leafTargets[slot] = singleScore ? 0 : Int32(weightTargets[j])
                leafWeights[slot] = weights[j]
            }
        }
        try seal(context)
    }

    /// Finds a node by (tree id, node id): a dense table per tree when node ids are small, else a dictionary.
    struct NodeIndex {
        private var tables: [[Int32]] = []
        private var tableOfTree: [Int64: Int] = [:]
        private var sparse: [NodeKey: Int]?

        struct NodeKey: Hashable {
            let tree: Int64
            let node: Int64
        }

        init(trees: [Int64], nodes: [Int64], _ context: NodeContext) throws(ONNXError) {
            let limit = Int64(4 * nodes.count + 64)
            if nodes.allSatisfy({ $0 >= 0 && $0 < limit }) {
                var sizes: [Int64: Int64] = [:]
                for (tree, node) in zip(trees, nodes) { sizes[tree] = max(sizes[tree] ?? 0, node + 1) }
                for (tree, size) in sizes {
                    tableOfTree[tree] = tables.count
                    tables.append([Int32](repeating: -1, count: Int(size)))
                }
                var lastTree = Int64.min
                var table = 0
                for i in 0..<nodes.count {
                    if trees[i] != lastTree {
                        lastTree = trees[i]
                        table = tableOfTree[lastTree] ?? 0
                    }
                    guard tables[table][Int(nodes[i])] < 0 else {
                        throw context.invalid("node \(nodes[i]) of tree \(trees[i]) is defined twice")
                    }
                    tables[table][Int(nodes[i])] = Int32(i)
                }
            } else {
                var sparse: [NodeKey: Int] = [:]
                for i in 0..<nodes.count {
                    let key = NodeKey(tree: trees[i], node: nodes[i])
                    guard sparse[key] == nil else {
                        throw context.invalid("node \(nodes[i]) of tree \(trees[i]) is defined twice")
                    }
                    sparse[key] = i
                }
                self.sparse = sparse
            }
        }

        func find(tree: Int64, node: Int64) -> Int? {
            if let sparse { return sparse[NodeKey(tree: tree, node: node)] }
            guard let table = tableOfTree[tree], node >= 0, node < Int64(tables[table].count) else { return nil }
            let index = tables[table][Int(node)]
            return index < 0 ? nil : Int(index)
        }
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
