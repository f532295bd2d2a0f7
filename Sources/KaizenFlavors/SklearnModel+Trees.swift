import KaizenCore
import KaizenONNX

extension SklearnModel {
    /// Decision trees and forests of them, by whether they classify.
    static let treeRegressors: Set<String> = [
        "sklearn.tree._classes.DecisionTreeRegressor", "sklearn.tree._classes.ExtraTreeRegressor",
        "sklearn.ensemble._forest.RandomForestRegressor", "sklearn.ensemble._forest.ExtraTreesRegressor",
    ]
    static let treeClassifiers: Set<String> = [
        "sklearn.tree._classes.DecisionTreeClassifier", "sklearn.tree._classes.ExtraTreeClassifier",
        "sklearn.ensemble._forest.RandomForestClassifier", "sklearn.ensemble._forest.ExtraTreesClassifier",
    ]

    /// One fitted tree: scikit-learn's node arrays (a leaf has children -1) and its values per node and class.
    struct FittedTree {
        var left: [Int]
        var right: [Int]
        var feature: [Int]
        var threshold: [Double]
        var missingLeft: [Bool]
        /// `values[node][k]`: the node's value for class `k` (one entry for a regressor).
        var values: [[Double]]
        /// Per node, the categories that go left when the node splits on a category (nil: a numeric split). The
        /// feature is compared as it is, so the caller rounds categorical columns as the library does first.
        var members: [[Double]?] = []

        init(_ tree: Value, features: Int, index: Int) throws(FlavorError) {
            func fail(_ problem: String) -> FlavorError { FlavorError("scikit-learn tree \(index): \(problem)") }
            guard tree.className == "sklearn.tree._tree.Tree", let fields = tree.fields,
                case .array(let nodes)? = fields["nodes"], case .records(let columns) = nodes.values,
                case .array(let valueArray)? = fields["values"]
            else { throw fail("has no node or value arrays") }
            if let outputs = fields["n_outputs"].flatMap(SklearnModel.integer), outputs != 1 {
                throw fail("has \(outputs) outputs; multi-output trees are not supported")
            }
            guard let left = columns["left_child"], let right = columns["right_child"],
                let feature = columns["feature"], let threshold = columns["threshold"]
            else { throw fail("lacks a node field") }
            let count = left.count
            guard count > 0, valueArray.shape.count == 3, valueArray.shape[0] == count, valueArray.shape[1] == 1 else {
                throw fail("has values of shape \(valueArray.shape) for \(count) nodes")
            }
            let classes = valueArray.shape[2]
            let flat = valueArray.doubles
            self.values = (0..<count).map { node in Array(flat[(node * classes)..<((node + 1) * classes)]) }
            self.left = left.map(SklearnModel.FittedTree.index)
            self.right = right.map(SklearnModel.FittedTree.index)
            self.feature = feature.map(SklearnModel.FittedTree.index)
            self.threshold = threshold
            self.missingLeft = (columns["missing_go_to_left"] ?? Array(repeating: 0, count: count)).map { $0 != 0 }
            try check(features: features, index: index)
        }

        /// A histogram gradient boosting tree (`TreePredictor`): its `nodes` records (`is_leaf`, children, raw
        /// thresholds, `missing_go_to_left`, leaf `value`s that already carry the learning rate).
        init(predictor: Value, features: Int, index: Int, known: [[Double]?]) throws(FlavorError) {
            func fail(_ problem: String) -> FlavorError {
                FlavorError("scikit-learn histogram tree \(index): \(problem)")
            }
            guard predictor.className == SklearnModel.treePredictor, let fields = predictor.fields,
                case .array(let nodes)? = fields["nodes"], case .records(let columns) = nodes.values,
                let left = columns["left"], let right = columns["right"], let feature = columns["feature_idx"],
                let threshold = columns["num_threshold"], let leaf = columns["is_leaf"], let value = columns["value"],
                let missing = columns["missing_go_to_left"], !left.isEmpty
            else { throw fail("has no node records") }
            self.left = zip(left, leaf).map { $1 != 0 ? -1 : Self.index($0) }
            self.right = zip(right, leaf).map { $1 != 0 ? -1 : Self.index($0) }
            self.feature = feature.map(Self.index)
            self.threshold = threshold
            self.missingLeft = missing.map { $0 != 0 }
            self.values = value.map { [$0] }
            if let categorical = columns["is_categorical"], categorical.contains(where: { $0 != 0 }) {
                try categorize(categorical, bitsets: fields, columns: columns, known: known, fail: fail)
            }
            try check(features: features, index: index)
        }

        /// Category splits of a histogram tree as membership sets. scikit-learn sends a category in the node's
        /// bitset left, another known category right, and NaN, negatives and unknown categories where missing values
        /// go: when that is left, the node tests the known categories that go right and its children are swapped.
        mutating func categorize(
            _ categorical: [Double], bitsets fields: [String: Value], columns: [String: [Double]],
            known: [[Double]?], fail: (String) -> FlavorError
        ) throws(FlavorError) {
            guard case .array(let bitsets)? = fields["raw_left_cat_bitsets"], bitsets.shape.count == 2,
                bitsets.shape[1] == 8, let bitsetIndex = columns["bitset_idx"]
            else { throw fail("has category splits without their bitsets") }
            let words = bitsets.doubles
            members = Array(repeating: nil, count: left.count)
            for node in left.indices where categorical[node] != 0 && left[node] != -1 {
                let row = Self.index(bitsetIndex[node])
                guard row >= 0, row < bitsets.shape[0], feature[node] >= 0, feature[node] < known.count,
                    let categories = known[feature[node]]
                else { throw fail("node \(node) splits on a category set or feature the model does not have") }
                let goesLeft = Set(
                    (0..<256).filter { bit in
                        let word = words[row * 8 + bit / 32]
                        return word >= 0 && word < 4_294_967_296 && (UInt32(word) >> UInt32(bit % 32)) & 1 != 0
                    }.map(Double.init))
                if missingLeft[node] {
                    members[node] = categories.filter { !goesLeft.contains($0) }.sorted()
                    swap(&left[node], &right[node])
                } else {
                    members[node] = goesLeft.sorted()
                }
                missingLeft[node] = false
            }
        }

        /// A node or feature index read from an array of doubles; -2 (refused by `check`) for what is no index.
        static func index(_ value: Double) -> Int {
            value.isFinite && abs(value) < 1e15 && value == value.rounded() ? Int(value) : -2
        }

        /// Every node reached once from the root, children in range, features in range.
        func check(features: Int, index: Int) throws(FlavorError) {
            func fail(_ problem: String) -> FlavorError { FlavorError("scikit-learn tree \(index): \(problem)") }
            let count = left.count
            guard right.count == count, feature.count == count, threshold.count == count, missingLeft.count == count,
                values.count == count, members.isEmpty || members.count == count
            else { throw fail("has node arrays of different lengths") }
            var reached = [Bool](repeating: false, count: count)
            var stack = [0]
            reached[0] = true
            while let node = stack.popLast() {
                let (l, r) = (left[node], right[node])
                if l == -1 && r == -1 { continue }
                guard l > 0, r > 0, l < count, r < count, !reached[l], !reached[r] else {
                    throw fail("node \(node) has children out of range or already reached")
                }
                guard feature[node] >= 0, feature[node] < features else {
                    throw fail("node \(node) splits on feature \(feature[node]) of \(features)")
                }
                guard !threshold[node].isNaN else { throw fail("node \(node) has a NaN threshold") }
                reached[l] = true
                reached[r] = true
                stack += [l, r]
            }
        }
    }

    /// The trees of a single tree or a forest.
    static func trees(of fields: [String: Value], name: String, features: Int) throws(FlavorError) -> [FittedTree] {
        if let tree = fields["tree_"] { return [try FittedTree(tree, features: features, index: 0)] }
        guard case .list(let estimators)? = fields["estimators_"], !estimators.isEmpty else {
            throw FlavorError("\(name) has no fitted trees")
        }
        var trees: [FittedTree] = []
        for (index, estimator) in estimators.enumerated() {
            guard let tree = estimator.fields?["tree_"] else {
                throw FlavorError("\(name) tree \(index) is not fitted")
            }
            trees.append(try FittedTree(tree, features: features, index: index))
        }
        return trees
    }
}

extension SklearnModel.Builder {
    /// A tree or a forest as scikit-learn predicts: features rounded to float32 (its trees' `DTYPE`) and compared
    /// with the double thresholds (`x <= threshold`); a forest's regressions averaged, its classifiers' normalised
    /// leaf proportions averaged, then `classes_` at the largest.
    mutating func trees(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int, classifier: Bool
    ) throws(FlavorError) {
        let trees = try SklearnModel.trees(of: fields, name: name, features: width)
        let forest = fields["tree_"] == nil
        _ = apply("Cast", [current], [("to", .int(Int64(ElementType.float.onnxDataType)))])
        _ = apply("Cast", [current], [("to", .int(Int64(ElementType.double.onnxDataType)))])
        let classes = classifier ? try Self.classes(fields, name: name) : nil
        let targets = classes.map { Int($0.shape[0]) } ?? 1
        guard trees.allSatisfy({ $0.values.allSatisfy { $0.count == targets } }) else {
            throw FlavorError("\(name)'s trees hold values for another number of classes than \(targets)")
        }
        _ = apply("Identity", [current])
        nodes.append(
            try ensemble(trees, targets: targets, normalize: classifier && (forest || probabilities), input: current))
        current = nodes.last?.outputs[0] ?? current
        if forest {
            _ = apply("Div", [current, constant(Tensor(scalar: Double(trees.count)), "trees")])
        }
        guard let classes else {
            guard !probabilities else { throw FlavorError("\(name) is a regressor; it has no predict_proba") }
            let axes = try columnAxis()
            _ = apply("Squeeze", [current, axes])
            output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
            rename()
            return
        }
        if probabilities {
            try probabilityColumns(.identity, columns: targets, classes: targets)
        } else {
            try label(classes, binary: nil)
        }
    }

    /// One opset-5 `TreeEnsemble` summing, per class, each tree's leaf value for that class (each tree is repeated
    /// once per class, so every leaf adds to one target, in tree order).
    mutating func ensemble(
        _ trees: [SklearnModel.FittedTree], targets: Int, normalize: Bool, input: String
    ) throws(FlavorError) -> ModelBlueprint.Node {
        var parts: [TreePart] = []
        for target in 0..<targets {
            for tree in trees {
                let leaves = tree.values.map { values in
                    let total = values.reduce(0, +)
                    return normalize ? values[target] / (total == 0 ? 1 : total) : values[target]
                }
                parts.append(TreePart(tree: tree, target: target, leaves: leaves))
            }
        }
        return try ensemble(parts, targets: targets, input: input)
    }

    /// The most categories all the splits of one model may list (each set is a bitset in the model file).
    static let maximumMembers = 20_000_000

    /// Rounds the categorical columns of `current` ([N, width]) as the library reads a category before looking it
    /// up: `floor` (scikit-learn's cast to uint8 after refusing negatives), or truncation toward zero (LightGBM's
    /// cast to int). Other columns pass unchanged, NaN stays NaN.
    mutating func roundCategories(_ categorical: [Bool], truncate: Bool) throws(FlavorError) {
        guard categorical.contains(true) else { return }
        let values = current
        let floor = apply("Floor", [values])
        var rounded = floor
        if truncate {
            let ceil = apply("Ceil", [values])
            let negative = apply("Less", [values, constant(Tensor(scalar: 0), "zero")])
            rounded = apply("Where", [negative, ceil, floor])
        }
        let mask = constant(try Self.tensor(Tensor(shape: [categorical.count], bools: categorical)), "categorical")
        _ = apply("Where", [mask, rounded, values])
    }

    /// A tree adding `leaves[node]` to `target` when it ends at `node`.
    struct TreePart {
        var tree: SklearnModel.FittedTree
        var target: Int
        var leaves: [Double]
    }

    /// One opset-5 `TreeEnsemble` summing its parts' leaves per target, in the parts' order.
    mutating func ensemble(_ parts: [TreePart], targets: Int, input: String) throws(FlavorError) -> ModelBlueprint.Node
    {
        var featureIDs: [Int64] = []
        var splits: [Double] = []
        var trueIDs: [Int64] = []
        var trueLeaf: [Int64] = []
        var falseIDs: [Int64] = []
        var falseLeaf: [Int64] = []
        var missing: [Int64] = []
        var roots: [Int64] = []
        var leafTargets: [Int64] = []
        var leafWeights: [Double] = []
        var modes: [Int64] = []
        var membership: [Double] = []
        for part in parts {
            let tree = part.tree
            let count = tree.left.count
            // Leaves get indices in the leaf list, interior nodes in the node list, in node order.
            var index = [Int](repeating: -1, count: count)
            var nextInterior = featureIDs.count
            for node in 0..<count {
                if tree.left[node] == -1 {
                    index[node] = leafWeights.count
                    leafWeights.append(part.leaves[node])
                    leafTargets.append(Int64(part.target))
                } else {
                    index[node] = nextInterior
                    nextInterior += 1
                }
            }
            roots.append(Int64(featureIDs.count))
            if tree.left[0] == -1 {
                // A tree of one leaf: one interior node whose both branches lead to it.
                featureIDs.append(0)
                splits.append(.infinity)
                trueIDs.append(Int64(index[0]))
                falseIDs.append(Int64(index[0]))
                trueLeaf.append(1)
                falseLeaf.append(1)
                missing.append(1)
                modes.append(0)
                continue
            }
            for node in 0..<count where tree.left[node] != -1 {
                let (yes, no) = (tree.left[node], tree.right[node])
                featureIDs.append(Int64(tree.feature[node]))
                if let members = tree.members.isEmpty ? nil : tree.members[node] {
                    guard membership.count + members.count < Self.maximumMembers else {
                        throw FlavorError(
                            "The model's category splits hold more than \(Self.maximumMembers) categories")
                    }
                    if members.isEmpty {
                        // No category goes left: `x < -inf` is never true (a missing value still follows its flag).
                        modes.append(1)
                        splits.append(-.infinity)
                    } else {
                        modes.append(6)  // BRANCH_MEMBER
                        splits.append(0)
                        membership += members
                        membership.append(.nan)
                    }
                } else {
                    modes.append(0)
                    splits.append(tree.threshold[node])
                }
                trueIDs.append(Int64(index[yes]))
                trueLeaf.append(tree.left[yes] == -1 ? 1 : 0)
                falseIDs.append(Int64(index[no]))
                falseLeaf.append(tree.left[no] == -1 ? 1 : 0)
                missing.append(tree.missingLeft[node] ? 1 : 0)
            }
        }
        let count = featureIDs.count
        let name = fresh("trees")
        var extra: [(String, ModelBlueprint.Attribute)] = []
        if !membership.isEmpty {
            extra.append(
                ("membership_values", .tensor(try Self.tensor(Tensor(shape: [membership.count], doubles: membership)))))
        }
        return ModelBlueprint.Node(
            "TreeEnsemble", domain: "ai.onnx.ml", inputs: [input], outputs: [name],
            attributes: extra + [
                ("n_targets", .int(Int64(targets))), ("aggregate_function", .int(1)), ("post_transform", .int(0)),
                ("tree_roots", .ints(roots)), ("nodes_featureids", .ints(featureIDs)),
                ("nodes_splits", .tensor(try Self.tensor(Tensor(shape: [count], doubles: splits)))),
                ("nodes_modes", .tensor(try Self.tensor(Tensor(shape: [count], int64s: modes)))),
                ("nodes_truenodeids", .ints(trueIDs)), ("nodes_trueleafs", .ints(trueLeaf)),
                ("nodes_falsenodeids", .ints(falseIDs)), ("nodes_falseleafs", .ints(falseLeaf)),
                ("nodes_missing_value_tracks_true", .ints(missing)), ("leaf_targetids", .ints(leafTargets)),
                ("leaf_weights", .tensor(try Self.tensor(Tensor(shape: [leafWeights.count], doubles: leafWeights)))),
            ])
    }
}
