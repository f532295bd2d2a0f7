/// A forest of decision trees in a compact layout for inference, shared by the tree operators.
///
/// Nodes of all trees live in one array; a leaf has `feature == -1`. When every leaf carries exactly one weight for
/// target 0 the weight sits in the leaf's `threshold` (`inlineLeaves`); otherwise the leaf points at a run of
/// `(target, weight)` pairs. Trees are checked to be acyclic when built, so evaluation always terminates.
struct TreeEnsemble<Threshold: FloatElement>: Sendable {
    struct Node: Sendable {
        var threshold: Threshold
        /// Feature index for a split; -1 for a leaf.
        var feature: Int32
        /// For a split, the child taken when the condition holds; for a leaf with weight runs, the first weight.
        var trueChild: Int32
        /// For a split, the other child; for a leaf with weight runs, the number of weights.
        var falseChild: Int32
    }

    /// How a split compares the feature with its threshold.
    enum Mode: UInt8, Sendable {
        case lessOrEqual = 0
        case less, greaterOrEqual, greater, equal, notEqual, member, leaf
    }

    var nodes: [Node] = []
    var modes: [Mode] = []
    var missingGoesTrue: [Bool] = []
    /// For `member` splits, the set each tests.
    var memberSets: [Int: Set<Threshold>] = [:]
    var roots: [Int32] = []
    var leafTargets: [Int32] = []
    var leafWeights: [Threshold] = []
    var inlineLeaves = false
    var targetCount = 1
    var featureCount = 0
    /// The model's number of trees (for averages), however many are walked.
    var treeCount = 0
    /// The mode every split uses, when they all use one (the fast path).
    var uniformMode: Mode?
    var tracksMissing = false
    /// The interleaved layout, when the splits allow it.
    var lockstep: LockstepForest<Threshold>?

    /// Finishes construction: checks every reference, that trees are acyclic, and picks the evaluation path.
    mutating func seal(_ context: NodeContext) throws(ONNXError) {
        let count = nodes.count
        for root in roots where root < 0 || Int(root) >= count {
            throw context.invalid("tree root \(root) is not a node")
        }
        var splitModes = Set<UInt8>()
        for index in 0..<count {
            let node = nodes[index]
            if modes[index] == .leaf {
                if !inlineLeaves {
                    let start = Int(node.trueChild)
                    let length = Int(node.falseChild)
                    guard start >= 0, length >= 0, start + length <= leafTargets.count else {
                        throw context.invalid("leaf weights out of range")
                    }
                }
                continue
            }
            guard node.feature >= 0 else { throw context.invalid("a split has a negative feature index") }
            guard node.trueChild >= 0, Int(node.trueChild) < count, node.falseChild >= 0, Int(node.falseChild) < count
            else { throw context.invalid("a split points at a node that does not exist") }
            featureCount = max(featureCount, Int(node.feature) + 1)
            splitModes.insert(modes[index].rawValue)
            if missingGoesTrue[index] { tracksMissing = true }
        }
        for target in leafTargets where target < 0 || Int(target) >= targetCount {
            throw context.invalid("leaf target \(target) is outside 0..<\(targetCount)")
        }
        try checkAcyclic(context)
        treeCount = roots.count
        mergeRepeatedTrees()
        uniformMode =
            splitModes.count == 1 ? Mode(rawValue: splitModes.first!) : (splitModes.isEmpty ? .lessOrEqual : nil)
        lockstep = LockstepForest(self)
    }

    /// Refuses a tree whose child links loop back (a malformed model must not hang inference).
    private func checkAcyclic(_ context: NodeContext) throws(ONNXError) {
        // 0 = unvisited, 1 = on the current path, 2 = done.
        var state = [UInt8](repeating: 0, count: nodes.count)
        var stack: [(node: Int, next: Int)] = []
        for root in roots {
            guard state[Int(root)] == 0 else { continue }
            stack.append((Int(root), 0))
            state[Int(root)] = 1
            while let top = stack.last {
                let node = nodes[top.node]
                if modes[top.node] == .leaf || top.next == 2 {
                    state[top.node] = 2
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let child = Int(top.next == 0 ? node.trueChild : node.falseChild)
                switch state[child] {
                case 1: throw context.invalid("a tree has a cycle through node \(child)")
                case 0:
                    state[child] = 1
                    stack.append((child, 0))
                default: break
                }
            }
        }
    }

    /// Adds every tree's leaf weights for `rows` rows of `x` (row-major, `stride` features each) into `scores`
    /// (`rows × targetCount`), trees outer and rows inner in blocks, as onnxruntime orders the sums.
    @_specialize(where Threshold == Float)
    @_specialize(where Threshold == Double)
    func accumulate(_ x: UnsafePointer<Threshold>, rows: Int, stride: Int, into scores: UnsafeMutablePointer<Threshold>)
    {
        if let lockstep {
            accumulate(lockstep, x, rows: rows, stride: stride, into: scores)
            return
        }
        let block = 128
        nodes.withUnsafeBufferPointer { nodes in
            var start = 0
            while start < rows {
                let end = min(start + block, rows)
                for root in roots {
                    for row in start..<end {
                        let leaf = findLeaf(nodes, Int(root), x + row * stride)
                        addLeaf(nodes, leaf, scores + row * targetCount)
                    }
                }
                start = end
            }
        }
    }

    @_specialize(where Threshold == Float)
    @_specialize(where Threshold == Double)
    private func accumulate(
        _ lockstep: LockstepForest<Threshold>, _ x: UnsafePointer<Threshold>, rows: Int, stride: Int,
        into scores: UnsafeMutablePointer<Threshold>
    ) {
        let block = 128
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(block, roots.count)) { leaves in
            let leaves = leaves.baseAddress!
            nodes.withUnsafeBufferPointer { nodes in
                if rows < 8 {
                    for row in 0..<rows {
                        lockstep.leaves(x + row * stride, into: leaves)
                        for tree in 0..<roots.count {
                            addLeaf(lockstep, nodes, leaves[tree], scores + row * targetCount)
                        }
                    }
                    return
                }
                var start = 0
                while start < rows {
                    let count = min(block, rows - start)
                    for tree in 0..<roots.count {
                        lockstep.leaves(tree: tree, x + start * stride, rows: count, stride: stride, into: leaves)
                        for row in 0..<count {
                            addLeaf(lockstep, nodes, leaves[row], scores + (start + row) * targetCount)
                        }
                    }
                    start += count
                }
            }
        }
    }

    /// Per-tree leaf weights for aggregations that are not sums (MIN, MAX): calls `visit(row, target, weight)`.
    func forEachLeafWeight(
        _ x: UnsafePointer<Threshold>, rows: Int, stride: Int, _ visit: (Int, Int, Threshold) -> Void
    ) {
        nodes.withUnsafeBufferPointer { nodes in
            for row in 0..<rows {
                for root in roots {
                    let leaf = findLeaf(nodes, Int(root), x + row * stride)
                    if inlineLeaves {
                        visit(row, 0, nodes[leaf].threshold)
                    } else {
                        let start = Int(nodes[leaf].trueChild)
                        for index in start..<(start + Int(nodes[leaf].falseChild)) {
                            visit(row, Int(leafTargets[index]), leafWeights[index])
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func addLeaf(
        _ lockstep: LockstepForest<Threshold>, _ nodes: UnsafeBufferPointer<Node>, _ leaf: Int32,
        _ scores: UnsafeMutablePointer<Threshold>
    ) {
        if inlineLeaves {
            scores[0] += lockstep.nodes[Int(leaf)].threshold
        } else {
            addLeaf(nodes, Int(lockstep.source[Int(leaf)]), scores)
        }
    }

    @inline(__always)
    private func addLeaf(_ nodes: UnsafeBufferPointer<Node>, _ leaf: Int, _ scores: UnsafeMutablePointer<Threshold>) {
        if inlineLeaves {
            scores[0] += nodes[leaf].threshold
        } else {
            let start = Int(nodes[leaf].trueChild)
            for index in start..<(start + Int(nodes[leaf].falseChild)) {
                scores[Int(leafTargets[index])] += leafWeights[index]
            }
        }
    }

    @inline(__always)
    private func findLeaf(_ nodes: UnsafeBufferPointer<Node>, _ root: Int, _ row: UnsafePointer<Threshold>) -> Int {
        var index = root
        switch uniformMode {
        case .lessOrEqual? where !tracksMissing:
            while true {
                let node = nodes[index]
                if node.feature < 0 { return index }
                index = Int(row[Int(node.feature)] <= node.threshold ? node.trueChild : node.falseChild)
            }
        case .less? where !tracksMissing:
            while true {
                let node = nodes[index]
                if node.feature < 0 { return index }
                index = Int(row[Int(node.feature)] < node.threshold ? node.trueChild : node.falseChild)
            }
        case .lessOrEqual?:
            while true {
                let node = nodes[index]
                if node.feature < 0 { return index }
                let value = row[Int(node.feature)]
                let goTrue = value <= node.threshold || (value.isNaN && missingGoesTrue[index])
                index = Int(goTrue ? node.trueChild : node.falseChild)
            }
        default:
            while true {
                let node = nodes[index]
                if node.feature < 0 { return index }
                let value = row[Int(node.feature)]
                let goTrue: Bool
                if value.isNaN && missingGoesTrue[index] {
                    goTrue = true
                } else {
                    switch modes[index] {
                    case .lessOrEqual: goTrue = value <= node.threshold
                    case .less: goTrue = value < node.threshold
                    case .greaterOrEqual: goTrue = value >= node.threshold
                    case .greater: goTrue = value > node.threshold
                    case .equal: goTrue = value == node.threshold
                    case .notEqual: goTrue = value != node.threshold
                    case .member: goTrue = memberSets[index]?.contains(value) ?? false
                    case .leaf: return index
                    }
                }
                index = Int(goTrue ? node.trueChild : node.falseChild)
            }
        }
    }
}
