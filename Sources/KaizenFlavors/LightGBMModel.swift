import Foundation
public import KaizenONNX

/// A LightGBM model read from LightGBM's text model format (what `Booster.save_model` writes and `mlflow.lightgbm`
/// saves as `model.lgb`), validated, and described as a graph of the engine's operators in float64, as LightGBM
/// predicts: one `TreeEnsemble` (ai.onnx.ml opset 5) summing the trees' leaves per class, comparing `x <= threshold`
/// on double features against double thresholds, then the objective's transform written term for term as LightGBM
/// computes it.
public struct LightGBMModel: Sendable {
    public struct Tree: Sendable {
        /// Per interior node: feature, threshold, children (`>= 0` an interior node, `< 0` the leaf `~child`), and
        /// where a missing value goes.
        public var feature: [Int]
        public var threshold: [Double]
        public var left: [Int]
        public var right: [Int]
        public var missingGoesLeft: [Bool]
        public var leafValue: [Double]
        /// Per interior node, the categories going left when it splits on a category, nil for a numeric split.
        public var categories: [[Double]?]

        /// The tree as scikit-learn lays one out: interior nodes first, then the leaves, a leaf's children -1.
        var fitted: SklearnModel.FittedTree {
            let interior = feature.count
            func node(_ child: Int) -> Int { child < 0 ? interior + ~child : child }
            guard interior > 0 else { return SklearnModel.FittedTree(constant: leafValue[0]) }
            let leaves = leafValue.count
            var tree = SklearnModel.FittedTree(constant: 0)
            tree.left = left.map(node) + Array(repeating: -1, count: leaves)
            tree.right = right.map(node) + Array(repeating: -1, count: leaves)
            tree.feature = feature + Array(repeating: 0, count: leaves)
            tree.threshold = threshold + Array(repeating: 0, count: leaves)
            tree.missingLeft = missingGoesLeft + Array(repeating: false, count: leaves)
            tree.values = Array(repeating: [0], count: interior) + leafValue.map { [$0] }
            tree.members = categories + Array(repeating: nil, count: leaves)
            return tree
        }
    }

    public var objective: String
    /// The objective line's parameters (`sigmoid:1` → `["sigmoid": "1"]`).
    public var objectiveParameters: [String: String]
    public var classes: Int
    public var featureNames: [String]
    public var trees: [Tree]
    public var averageOutput: Bool

    static let identity: Set<String> = [
        "regression", "regression_l2", "regression_l1", "huber", "fair", "quantile", "mape", "lambdarank",
        "rank_xendcg", "custom",
    ]
    static let exponential: Set<String> = ["poisson", "gamma", "tweedie"]
    static let logistic: Set<String> = ["binary", "cross_entropy", "multiclassova"]

    public static let maximumNodes = 50_000_000

    public init(text: String) throws(FlavorError) {
        var header: [String: String] = [:]
        var blocks: [[String: String]] = []
        var current: [String: String]?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line == "end of trees" { break }
            if line.hasPrefix("Tree=") {
                if let current { blocks.append(current) }
                current = [:]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                if current == nil, !line.isEmpty { header[line] = "" }  // flags such as `average_output`
                continue
            }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if current != nil { current?[key] = value } else { header[key] = value }
        }
        if let current { blocks.append(current) }
        guard header["version"] != nil || text.hasPrefix("tree") else {
            throw FlavorError("The LightGBM model is not in LightGBM's text format")
        }
        let objectiveLine = (header["objective"] ?? "regression").split(separator: " ").map(String.init)
        self.objective = objectiveLine.first ?? "regression"
        var parameters: [String: String] = [:]
        for part in objectiveLine.dropFirst() {
            let pieces = part.split(separator: ":", maxSplits: 1).map(String.init)
            if pieces.count == 2 { parameters[pieces[0]] = pieces[1] }
        }
        self.objectiveParameters = parameters
        guard
            Self.identity.contains(objective) || Self.exponential.contains(objective)
                || Self.logistic.contains(objective) || objective == "multiclass"
        else {
            throw FlavorError("LightGBM objective '\(objective)' is not supported")
        }
        if objectiveLine.contains("sqrt") {
            throw FlavorError("LightGBM regression with sqrt-transformed labels is not supported")
        }
        guard let classes = Int(header["num_class"] ?? "1"), (1...100_000).contains(classes),
            let perIteration = Int(header["num_tree_per_iteration"] ?? "1"), perIteration == classes,
            let maxFeature = Int(header["max_feature_idx"] ?? ""), (0..<1_000_000).contains(maxFeature)
        else {
            throw FlavorError("The LightGBM model's num_class, num_tree_per_iteration or max_feature_idx is invalid")
        }
        self.classes = classes
        self.averageOutput = header.keys.contains("average_output")
        let names = (header["feature_names"] ?? "").split(separator: " ").map(String.init)
        self.featureNames = names.count == maxFeature + 1 ? names : []
        guard blocks.count % classes == 0 else {
            throw FlavorError("The LightGBM model has \(blocks.count) trees, not a multiple of \(classes) classes")
        }
        var trees: [Tree] = []
        var nodes = 0
        for (index, block) in blocks.enumerated() {
            let tree = try Self.tree(block, index: index, features: maxFeature + 1)
            nodes += tree.leafValue.count * 2 + tree.categories.reduce(0) { $0 + ($1?.count ?? 0) }
            guard nodes <= Self.maximumNodes else {
                throw FlavorError("The LightGBM model has more than \(Self.maximumNodes) nodes")
            }
            trees.append(tree)
        }
        guard !trees.isEmpty else { throw FlavorError("The LightGBM model has no trees") }
        if let line = text.split(separator: "\n").last(where: { $0.hasPrefix("pandas_categorical:") }),
            !["pandas_categorical:null", "pandas_categorical:[]"].contains(line.trimmingCharacters(in: .whitespaces))
        {
            throw FlavorError(
                "The LightGBM model was fitted on pandas category columns, whose values it maps to codes by a table "
                    + "Kaizen does not read yet; fit on integer codes (categorical_feature=[...]) to serve it")
        }
        self.trees = trees
        self.features = maxFeature + 1
    }

    public var features: Int

    /// The graph computing LightGBM's `predict`: input `input` double[N, features], output `prediction` double[N]
    /// (one class) or double[N, K].
    public func blueprint() throws(FlavorError) -> ModelBlueprint {
        var builder = SklearnModel.Builder()
        try predict(into: &builder)
        if classes == 1 {
            let axes = try builder.columnAxis()
            _ = builder.apply("Squeeze", [builder.current, axes])
        } else {
            _ = builder.apply("Identity", [builder.current])
        }
        builder.output = ModelBlueprint.Port(
            name: builder.current, type: .double, shape: classes == 1 ? [nil] : [nil, classes])
        builder.rename()
        return ModelBlueprint(
            inputs: [ModelBlueprint.Port(name: "input", type: .double, shape: [nil, features])],
            outputs: builder.output.map { [$0] } ?? [], nodes: builder.nodes, opsets: ["": 13, "ai.onnx.ml": 5],
            producer: "kaizen-lightgbm")
    }

    public func engine() throws(FlavorError) -> ONNXModel {
        do { return try ONNXModel(blueprint: try blueprint()) } catch let error as FlavorError {
            throw error
        } catch {
            throw FlavorError("The LightGBM model does not load on Kaizen's engine: \(error)")
        }
    }

    /// Appends `predict`'s nodes to `builder`, reading its current tensor ([N, features]) and leaving it at the
    /// transformed scores ([N, classes]): categorical columns truncated to integers as LightGBM casts them, one
    /// `TreeEnsemble` summing the trees' leaves per class, the average for random forests, then the objective's
    /// transform written term for term as LightGBM computes it, in float64.
    func predict(into builder: inout SklearnModel.Builder) throws(FlavorError) {
        var categorical = [Bool](repeating: false, count: features)
        var parts: [SklearnModel.Builder.TreePart] = []
        for (index, tree) in trees.enumerated() {
            let fitted = tree.fitted
            for node in fitted.members.indices where fitted.members[node] != nil {
                categorical[fitted.feature[node]] = true
            }
            parts.append(.init(tree: fitted, target: index % classes, leaves: fitted.values.map { $0[0] }))
        }
        try builder.roundCategories(categorical, truncate: true)
        builder.nodes.append(try builder.ensemble(parts, targets: classes, input: builder.current))
        builder.current = builder.nodes.last?.outputs[0] ?? builder.current
        if averageOutput {
            _ = builder.apply(
                "Div", [builder.current, builder.constant(Tensor(scalar: Double(trees.count / classes)), "iterations")])
        }
        if Self.logistic.contains(objective) {
            // 1 / (1 + exp(-sigmoid * x)), LightGBM's BinaryLogloss::ConvertOutput.
            let sigmoid = Double(objectiveParameters["sigmoid"] ?? "1") ?? 1
            let factor = objective == "cross_entropy" ? -1 : -sigmoid
            _ = builder.apply("Mul", [builder.current, builder.constant(Tensor(scalar: factor), "minus_sigmoid")])
            _ = builder.apply("Exp", [builder.current])
            _ = builder.apply("Add", [builder.current, builder.constant(Tensor(scalar: 1), "one")])
            _ = builder.apply("Reciprocal", [builder.current])
        } else if Self.exponential.contains(objective) {
            _ = builder.apply("Exp", [builder.current])
        } else if objective == "multiclass" {
            // exp(x - max) / sum, all in float64 (Common::Softmax).
            let margin = builder.current
            let axes = try builder.columnAxis()
            // At opset 13 ReduceMax takes its axes as an attribute, ReduceSum as an input.
            let largest = builder.apply("ReduceMax", [margin], [("axes", .ints([1])), ("keepdims", .int(1))])
            let exponentials = builder.apply("Exp", [builder.apply("Sub", [margin, largest])])
            let sum = builder.apply("ReduceSum", [exponentials, axes], [("keepdims", .int(1))])
            _ = builder.apply("Div", [exponentials, sum])
        }
    }

    /// One `Tree=` block, checked: list lengths from `num_leaves`, children in range and each reached once from
    /// the root, features in range, numerical splits whose missing values go to a default or compare as zero.
    static func tree(_ block: [String: String], index: Int, features: Int) throws(FlavorError) -> Tree {
        func fail(_ problem: String) -> FlavorError { FlavorError("LightGBM tree \(index): \(problem)") }
        guard let leaves = Int(block["num_leaves"] ?? ""), (1...10_000_000).contains(leaves) else {
            throw fail("num_leaves is missing or invalid")
        }
        func numbers<T>(_ key: String, _ count: Int, _ parse: (Substring) -> T?) throws(FlavorError) -> [T] {
            guard count > 0 else { return [] }
            let parts = (block[key] ?? "").split(separator: " ")
            guard parts.count == count else { throw fail("'\(key)' has \(parts.count) values, expected \(count)") }
            var values: [T] = []
            values.reserveCapacity(count)
            for part in parts {
                guard let value = parse(part) else { throw fail("'\(key)' holds '\(part)'") }
                values.append(value)
            }
            return values
        }
        if block["is_linear"] == "1" { throw fail("linear trees are not supported") }
        let interior = leaves - 1
        let leafValue = try numbers("leaf_value", leaves) { Double($0) }
        guard leafValue.allSatisfy(\.isFinite) else { throw fail("a leaf value is not finite") }
        let feature = try numbers("split_feature", interior) { Int($0) }
        let threshold = try numbers("threshold", interior) { Double($0) }
        let decision = try numbers("decision_type", interior) { Int($0) }
        let left = try numbers("left_child", interior) { Int($0) }
        let right = try numbers("right_child", interior) { Int($0) }
        guard let categorySplits = Int(block["num_cat"] ?? "0"), (0...interior).contains(categorySplits) else {
            throw fail("num_cat is invalid")
        }
        let boundaries = try numbers("cat_boundaries", categorySplits > 0 ? categorySplits + 1 : 0) { Int($0) }
        guard boundaries.last ?? 0 <= maximumNodes / 32 else { throw fail("cat_threshold is too long") }
        let words = try numbers("cat_threshold", boundaries.last ?? 0) { UInt32($0) }
        guard boundaries.first ?? 0 == 0, zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw fail("cat_boundaries is not an increasing list from 0")
        }
        var missingGoesLeft: [Bool] = []
        var categories: [[Double]?] = []
        for node in 0..<interior {
            guard feature[node] >= 0, feature[node] < features else {
                throw fail("node \(node) splits on feature \(feature[node]) of \(features)")
            }
            guard !threshold[node].isNaN else { throw fail("node \(node) has a NaN threshold") }
            let type = decision[node]
            if type & 1 != 0 {
                // A category split: `threshold` indexes the node's bitset; a category in it goes left, anything else
                // (NaN, negatives, unknown categories) right (Tree::CategoricalDecision).
                guard let split = Int(exactly: threshold[node]), split >= 0, split < categorySplits else {
                    throw fail("node \(node) names category set \(threshold[node]) of \(categorySplits)")
                }
                var members: [Double] = []
                for word in boundaries[split]..<boundaries[split + 1] {
                    for bit in 0..<32 where words[word] >> UInt32(bit) & 1 != 0 {
                        members.append(Double((word - boundaries[split]) * 32 + bit))
                    }
                }
                categories.append(members)
                missingGoesLeft.append(false)
                continue
            }
            categories.append(nil)
            switch (type >> 2) & 3 {
            case 0: missingGoesLeft.append(0 <= threshold[node])  // NaN is read as 0
            case 2: missingGoesLeft.append(type & 2 != 0)
            default: throw fail("node \(node) treats zero as missing, which is not supported")
            }
        }
        if interior > 0 {
            var reachedInterior = [Bool](repeating: false, count: interior)
            var reachedLeaf = [Bool](repeating: false, count: leaves)
            var stack = [0]
            reachedInterior[0] = true
            while let node = stack.popLast() {
                for child in [left[node], right[node]] {
                    if child >= 0 {
                        guard child < interior, !reachedInterior[child] else {
                            throw fail("node \(node) has a child out of range or already reached")
                        }
                        reachedInterior[child] = true
                        stack.append(child)
                    } else {
                        let leaf = ~child
                        guard leaf < leaves, !reachedLeaf[leaf] else {
                            throw fail("node \(node) has a leaf out of range or already reached")
                        }
                        reachedLeaf[leaf] = true
                    }
                }
            }
            guard reachedInterior.allSatisfy({ $0 }), reachedLeaf.allSatisfy({ $0 }) else {
                throw fail("some nodes are not reached from the root")
            }
        }
        return Tree(
            feature: feature, threshold: threshold, left: left, right: right, missingGoesLeft: missingGoesLeft,
            leafValue: leafValue, categories: categories)
    }
}

extension SklearnModel {
    /// LightGBM's scikit-learn estimators, which `mlflow.lightgbm` saves with skops; their booster is the text model.
    static let lightgbmRegressor = "lightgbm.sklearn.LGBMRegressor"
    static let lightgbmClassifier = "lightgbm.sklearn.LGBMClassifier"
    static let lightgbmParts: Set<String> = [
        lightgbmRegressor, lightgbmClassifier, "lightgbm.basic.Booster", "sklearn.preprocessing._label.LabelEncoder",
    ]
}

extension SklearnModel.Builder {
    /// An `LGBMRegressor` (the booster's `predict`) or `LGBMClassifier` (`predict_proba`: the booster's
    /// probabilities, `[1 - p, p]` for two classes; `predict`: `classes_` at the largest, the second class where
    /// `p > 0.5` for two).
    mutating func lightgbm(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int, classifier: Bool
    ) throws(FlavorError) {
        guard let text = fields["_Booster"]?.fields?["_handle"]?.string else {
            throw FlavorError("\(name) has no fitted booster")
        }
        let model = try LightGBMModel(text: text)
        guard model.features == width else {
            throw FlavorError("\(name)'s booster takes \(model.features) features, the model \(width)")
        }
        try model.predict(into: &self)
        guard classifier else {
            guard !probabilities else { throw FlavorError("\(name) is a regressor; it has no predict_proba") }
            guard model.classes == 1 else { throw FlavorError("\(name) has \(model.classes) outputs") }
            let axes = try columnAxis()
            _ = apply("Squeeze", [current, axes])
            output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
            rename()
            return
        }
        let classes = try Self.classes(fields["_le"]?.fields ?? fields, name: name)
        let count = Int(classes.shape[0])
        guard count == (model.classes == 1 ? 2 : model.classes) else {
            throw FlavorError("\(name) has \(model.classes) score columns for \(count) classes")
        }
        guard probabilities else {
            try label(classes, binary: model.classes == 1 ? "Greater" : nil, threshold: 0.5)
            return
        }
        if model.classes == 1 { complementPair() }
        output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, count])
        rename()
    }
}
