/// The fast path of tree evaluation: several traversals advance in lockstep so their memory loads overlap.
///
/// A walk down a tree is a chain of dependent loads; interleaving eight independent walks (eight rows through one
/// tree, or one row through eight trees) keeps the core busy while each load is in flight. Leaves loop to themselves,
/// so every walk can take exactly as many steps as its tree is deep. Used when all splits compare with `<=` or `<`
/// (what scikit-learn, LightGBM and XGBoost numeric splits produce); missing values go to the true branch where the
/// node says so.
struct LockstepForest<Threshold: FloatElement>: Sendable {
    /// A split's children sit side by side (true, then false), so the next index is `left + 0 or 1`: plain
    /// arithmetic, with no branch for the processor to mispredict. A leaf has `step == 0`, `left` pointing at
    /// itself, and its weight in `threshold` when the forest's leaves are inline.
    struct Node: Sendable {
        var threshold: Threshold
        /// The feature index, with the top bit set when a missing value goes to the true branch.
        var feature: UInt32
        var left: Int32
        var step: Int32
    }

    let nodes: [Node]
    /// For each node of this layout, the node of the forest it came from (to find a leaf's weights).
    let source: [Int32]
    /// Each tree's root in this layout.
    let roots: [Int32]
    /// The number of steps from each tree's root to its deepest leaf.
    let depths: [Int]
    let strict: Bool

    static var missingBit: UInt32 { 1 << 31 }

    /// The lockstep layout of a forest, or `nil` when it uses other split modes or shares nodes between parents.
    init?(_ forest: TreeEnsemble<Threshold>) {
        guard let mode = forest.uniformMode, mode == .lessOrEqual || mode == .less, forest.featureCount >= 1 else {
            return nil
        }
        strict = mode == .less
        var nodes: [Node] = []
        var source: [Int32] = []
        var roots: [Int32] = []
        var depths: [Int] = []
        nodes.reserveCapacity(forest.nodes.count)
        source.reserveCapacity(forest.nodes.count)
        var placed = [Bool](repeating: false, count: forest.nodes.count)
        var queue: [(index: Int32, depth: Int)] = []
        for root in forest.roots {
            guard !placed[Int(root)] else { return nil }
            placed[Int(root)] = true
            let rootIndex = Int32(nodes.count)
            nodes.append(Node(threshold: 0, feature: 0, left: rootIndex, step: 0))
            source.append(root)
            roots.append(rootIndex)
            // Breadth-first, so each level's walk touches nearby memory.
            queue.removeAll(keepingCapacity: true)
            queue.append((rootIndex, 0))
            var head = 0
            var deepest = 0
            while head < queue.count {
                let (index, depth) = queue[head]
                head += 1
                deepest = max(deepest, depth)
                let originalIndex = Int(source[Int(index)])
                let original = forest.nodes[originalIndex]
                if original.feature < 0 {
                    // A leaf keeps its (inline) weight here, next to the split that led to it.
                    nodes[Int(index)].threshold = original.threshold
                    continue
                }
                // Shared children (a DAG) cannot sit beside two parents: such forests take the plain walk.
                let t = Int(original.trueChild)
                let f = Int(original.falseChild)
                guard !placed[t], !placed[f], t != f else { return nil }
                placed[t] = true
                placed[f] = true
                let left = Int32(nodes.count)
                nodes.append(Node(threshold: 0, feature: 0, left: left, step: 0))
                nodes.append(Node(threshold: 0, feature: 0, left: left + 1, step: 0))
                source.append(Int32(t))
                source.append(Int32(f))
                let missing = forest.missingGoesTrue[originalIndex] ? Self.missingBit : 0
                nodes[Int(index)] = Node(
                    threshold: original.threshold, feature: UInt32(original.feature) | missing, left: left, step: 1)
                queue.append((left, depth + 1))
                queue.append((left + 1, depth + 1))
            }
            depths.append(deepest)
        }
        self.nodes = nodes
        self.source = source
        self.roots = roots
        self.depths = depths
    }

    @inline(__always)
    private func step(_ nodes: UnsafePointer<Node>, _ index: Int32, _ row: UnsafePointer<Threshold>) -> Int32 {
        let threshold: Threshold
        let feature: UInt32
        let left: Int32
        let step: Int32
        if MemoryLayout<Node>.stride == 16 {
            // A float node is read as one 16-byte vector: eight such reads side by side stay eight loads, where
            // field-by-field reads invite the compiler to turn them into (slow) gathers on AVX-512 targets.
            let raw = UnsafeRawPointer(nodes + Int(index)).loadUnaligned(as: SIMD4<UInt32>.self)
            threshold = unsafeBitCast(raw[0], to: Threshold.self)
            (feature, left, step) = (raw[1], Int32(bitPattern: raw[2]), Int32(bitPattern: raw[3]))
        } else {
            let node = nodes[Int(index)]
            (threshold, feature, left, step) = (node.threshold, node.feature, node.left, node.step)
        }
        let value = row[Int(feature & ~Self.missingBit)]
        let compare: Int32 = (strict ? value < threshold : value <= threshold) ? 1 : 0
        let missing: Int32 = value.isNaN ? Int32(bitPattern: feature >> 31) : 0
        return left &+ ((1 &- (compare | missing)) & step)
    }

    // Always specialized: a generic walk is several times slower, and the optimizer does not always choose to.
    /// The leaf reached by each of `rows` rows (row-major, `stride` apart) in tree `tree`, written to `leaves`.
    @_specialize(where Threshold == Float)
    @_specialize(where Threshold == Double)
    func leaves(
        tree: Int, _ x: UnsafePointer<Threshold>, rows: Int, stride: Int,
        into leaves: UnsafeMutablePointer<Int32>
    ) {
        nodes.withUnsafeBufferPointer { buffer in
            let nodes = buffer.baseAddress!
            let depth = depths[tree]
            var row = 0
            while row + 8 <= rows {
                let root = roots[tree]
                var i0 = root
                var i1 = root
                var i2 = root
                var i3 = root
                var i4 = root
                var i5 = root
                var i6 = root
                var i7 = root
                let r0 = x + row * stride
                let r1 = r0 + stride
                let r2 = r1 + stride
                let r3 = r2 + stride
                let r4 = r3 + stride
                let r5 = r4 + stride
                let r6 = r5 + stride
                let r7 = r6 + stride
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
                var index = roots[tree]
                let r = x + row * stride
                for _ in 0..<depth { index = step(nodes, index, r) }
                leaves[row] = index
                row += 1
            }
        }
    }

    /// The leaf reached by one row in each tree, walking up to eight trees at once.
    @_specialize(where Threshold == Float)
    @_specialize(where Threshold == Double)
    func leaves(_ row: UnsafePointer<Threshold>, into leaves: UnsafeMutablePointer<Int32>) {
        nodes.withUnsafeBufferPointer { buffer in
            let nodes = buffer.baseAddress!
            var tree = 0
            let count = roots.count
            while tree + 4 <= count {
                var i0 = roots[tree]
                var i1 = roots[tree + 1]
                var i2 = roots[tree + 2]
                var i3 = roots[tree + 3]
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
