extension TreeEnsemble {
    /// Walks once the trees that repeat another tree's splits exactly, as a forest classifier written with one
    /// target per leaf repeats each tree once per class: the first tree's leaves take the repeats' weights too, so
    /// each row walks it once and adds every class's weight. Done only when every target still receives its weights
    /// in the model's tree order, so sums are the same to the bit; never for inline leaves, membership splits or trees
    /// that share nodes.
    mutating func mergeRepeatedTrees() {
        guard !inlineLeaves, roots.count > 1, memberSets.isEmpty else { return }
        // Each tree's splits in preorder (feature, mode, missing direction, threshold bits; leaves as a marker),
        // and its leaves in that order.
        var reached = [Bool](repeating: false, count: nodes.count)
        var shapes: [[UInt64]] = []
        var leavesOf: [[Int]] = []
        for root in roots {
            var shape: [UInt64] = []
            var leaves: [Int] = []
            var stack = [Int(root)]
            while let index = stack.popLast() {
                guard !reached[index] else { return }
                reached[index] = true
                let node = nodes[index]
                if modes[index] == .leaf {
                    shape.append(.max)
                    leaves.append(index)
                    continue
                }
                shape.append(
                    UInt64(UInt32(bitPattern: node.feature)) << 9 | UInt64(modes[index].rawValue) << 1
                        | (missingGoesTrue[index] ? 1 : 0))
                shape.append(Double(node.threshold).bitPattern)
                stack.append(Int(node.falseChild))
                stack.append(Int(node.trueChild))
            }
            shapes.append(shape)
            leavesOf.append(leaves)
        }
        var representative: [Int] = []
        var first: [[UInt64]: Int] = [:]
        for (tree, shape) in shapes.enumerated() {
            if let earlier = first[shape] {
                representative.append(earlier)
            } else {
                first[shape] = tree
                representative.append(tree)
            }
        }
        guard first.count < roots.count else { return }
        // Every target must get its weights in the same order as before: the walking tree of each tree adding to
        // a target comes strictly after the walking tree of the previous one.
        var lastWalker = [Int](repeating: -1, count: targetCount)
        for tree in roots.indices {
            var targets = Set<Int>()
            for leaf in leavesOf[tree] {
                let start = Int(nodes[leaf].trueChild)
                for index in start..<(start + Int(nodes[leaf].falseChild)) { targets.insert(Int(leafTargets[index])) }
            }
            for target in targets {
                guard representative[tree] > lastWalker[target] else { return }
                lastWalker[target] = representative[tree]
            }
        }
        var members: [Int: [Int]] = [:]
        for tree in roots.indices { members[representative[tree], default: []].append(tree) }
        var targets: [Int32] = []
        var weights: [Threshold] = []
        var walking: [Int32] = []
        for tree in roots.indices where representative[tree] == tree {
            walking.append(roots[tree])
            for (position, leaf) in leavesOf[tree].enumerated() {
                let start = targets.count
                for member in members[tree] ?? [] {
                    let source = nodes[leavesOf[member][position]]
                    for index in Int(source.trueChild)..<(Int(source.trueChild) + Int(source.falseChild)) {
                        targets.append(leafTargets[index])
                        weights.append(leafWeights[index])
                    }
                }
                nodes[leaf].trueChild = Int32(start)
                nodes[leaf].falseChild = Int32(targets.count - start)
            }
        }
        leafTargets = targets
        leafWeights = weights
        roots = walking
    }
}
