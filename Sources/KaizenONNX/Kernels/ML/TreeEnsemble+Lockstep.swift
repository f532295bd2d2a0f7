/// The fast path of tree evaluation: several traversals advance in lockstep so their memory loads overlap.
///
/// A walk down a tree is a chain of dependent loads; interleaving eight independent walks (eight rows through one
/// tree, or one row through eight trees) keeps the core busy while each load is in flight. Leaves loop to themselves,
/// so every walk can take exactly as many steps as its tree is deep. Used when all splits compare with `<=` or `<`
/// (what scikit-learn, LightGBM and XGBoost numeric splits produce); missing values go to the true branch where the
/// node says so.
struct LockstepForest<Threshold: FloatElement>: Sendable {
    struct Node: Sendable {
        var threshold: Threshold
        /// The feature index, with the top bit set when a missing value goes to the true branch.
        var feature: UInt32
        var trueChild: Int32
        var falseChild: Int32
    }

    let nodes: [Node]
    /// The number of steps from each tree's root to its deepest leaf.
    let depths: [Int]
    let strict: Bool

    static var missingBit: UInt32 { 1 << 31 }

    /// The lockstep layout of a forest, or `nil` when it uses other split modes.
    init?(_ forest: TreeEnsemble<Threshold>) {
        guard let mode = forest.uniformMode, mode == .lessOrEqual || mode == .less, forest.featureCount >= 1 else {
            return nil
        }
        strict = mode == .less
        var nodes: [Node] = []
        nodes.reserveCapacity(forest.nodes.count)
        for (index, node) in forest.nodes.enumerated() {
            if node.feature < 0 {
                nodes.append(Node(threshold: 0, feature: 0, trueChild: Int32(index), falseChild: Int32(index)))
            } else {
                let missing = forest.missingGoesTrue[index] ? Self.missingBit : 0
                nodes.append(
                    Node(threshold: node.threshold, feature: UInt32(node.feature) | missing, trueChild: node.trueChild,
                        falseChild: node.falseChild))
            }
        }
        // Longest path from each node to a leaf, children before parents (the forest is acyclic).
        var depthOf = [Int](repeating: -1, count: nodes.count)
        var stack: [Int] = []
        for root in forest.roots {
            stack.append(Int(root))
            while let top = stack.last {
                let node = forest.nodes[top]
                if node.feature < 0 {
                    depthOf[top] = 0
                    stack.removeLast()
                    continue
                }
                let t = Int(node.trueChild)
                let f = Int(node.falseChild)
                if depthOf[t] < 0 {
                    stack.append(t)
                } else if depthOf[f] < 0 {
                    stack.append(f)
                } else {
                    depthOf[top] = 1 + max(depthOf[t], depthOf[f])
                    stack.removeLast()
                }
            }
        }
        self.nodes = nodes
        self.depths = forest.roots.map { depthOf[Int($0)] }
    }

    @inline(__always)
    private func step(_ nodes: UnsafePointer<Node>, _ index: Int32, _ row: UnsafePointer<Threshold>) -> Int32 {
        let node = nodes[Int(index)]
        let value = row[Int(node.feature & ~Self.missingBit)]
        let compare = strict ? value < node.threshold : value <= node.threshold
        let goTrue = compare || (node.feature & Self.missingBit != 0 && value.isNaN)
        return goTrue ? node.trueChild : node.falseChild
    }

    /// The leaf reached by each of `rows` rows (row-major, `stride` apart) in tree `tree`, written to `leaves`.
    func leaves(
        tree: Int, root: Int32, _ x: UnsafePointer<Threshold>, rows: Int, stride: Int,
        into leaves: UnsafeMutablePointer<Int32>
    ) {
        nodes.withUnsafeBufferPointer { buffer in
            let nodes = buffer.baseAddress!
            let depth = depths[tree]
            var row = 0
            while row + 8 <= rows {
                var i0 = root, i1 = root, i2 = root, i3 = root, i4 = root, i5 = root, i6 = root, i7 = root
                let r0 = x + row * stride
                let r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride
                let r4 = r3 + stride, r5 = r4 + stride, r6 = r5 + stride, r7 = r6 + stride
                for _ in 0..<depth {
                    i0 = step(nodes, i0, r0)
                    i1 = step(nodes, i1, r1)
                    i2 = step(nodes, i2, r2)
                    i3 = step(nodes, i3, r3)
                    i4 = step(nodes, i4, r4)
                    i5 = step(nodes, i5, r5)
                    i6 = step(nodes, i6, r6)
                    i7 = step(nodes, i7, r7)
                }
                leaves[row] = i0
                leaves[row + 1] = i1
                leaves[row + 2] = i2
                leaves[row + 3] = i3
                leaves[row + 4] = i4
                leaves[row + 5] = i5
                leaves[row + 6] = i6
                leaves[row + 7] = i7
                row += 8
            }
            while row < rows {
                var index = root
                let r = x + row * stride
                for _ in 0..<depth { index = step(nodes, index, r) }
                leaves[row] = index
                row += 1
            }
        }
    }

    /// The leaf reached by one row in each tree, walking up to eight trees at once.
    func leaves(roots: [Int32], _ row: UnsafePointer<Threshold>, into leaves: UnsafeMutablePointer<Int32>) {
        nodes.withUnsafeBufferPointer { buffer in
            let nodes = buffer.baseAddress!
            var tree = 0
            let count = roots.count
            while tree + 4 <= count {
                var i0 = roots[tree], i1 = roots[tree + 1], i2 = roots[tree + 2], i3 = roots[tree + 3]
                let depth = max(max(depths[tree], depths[tree + 1]), max(depths[tree + 2], depths[tree + 3]))
                for _ in 0..<depth {
                    i0 = step(nodes, i0, row)
                    i1 = step(nodes, i1, row)
                    i2 = step(nodes, i2, row)
                    i3 = step(nodes, i3, row)
                }
                leaves[tree] = i0
                leaves[tree + 1] = i1
                leaves[tree + 2] = i2
                leaves[tree + 3] = i3
                tree += 4
            }
            while tree < count {
                var index = roots[tree]
                for _ in 0..<depths[tree] { index = step(nodes, index, row) }
                leaves[tree] = index
                tree += 1
            }
        }
    }
}
