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
            nodes += tree.leafValue.count * 2
            guard nodes <= Self.maximumNodes else {
                throw FlavorError("The LightGBM model has more than \(Self.maximumNodes) nodes")
            }
            trees.append(tree)
        }
        guard !trees.isEmpty else { throw FlavorError("The LightGBM model has no trees") }
        self.trees = trees
        self.features = maxFeature + 1
    }

    public var features: Int

    /// The graph computing LightGBM's `predict`: input `input` double[N, features], output `prediction` double[N]
    /// (one class) or double[N, K].
    public func blueprint() throws(FlavorError) -> ModelBlueprint {
        var nodes: [ModelBlueprint.Node] = []
        do { nodes.append(try ensemble()) } catch { throw FlavorError("\(error)") }
        var current = "margin"
        func add(
            _ op: String, _ inputs: [String], _ output: String, _ attributes: [(String, ModelBlueprint.Attribute)] = []
        ) {
            nodes.append(ModelBlueprint.Node(op, inputs: inputs, outputs: [output], attributes: attributes))
            current = output
        }
        func constant(_ name: String, _ value: Double) {
            nodes.append(
                ModelBlueprint.Node(
                    "Constant", inputs: [], outputs: [name],
                    attributes: [("value", .tensor(Tensor(scalar: value)))]))
        }
        if averageOutput {
            constant("iterations", Double(trees.count / classes))
            add("Div", [current, "iterations"], "averaged")
        }
        if Self.logistic.contains(objective) {
            // 1 / (1 + exp(-sigmoid * x)), LightGBM's BinaryLogloss::ConvertOutput.
            let sigmoid = Double(objectiveParameters["sigmoid"] ?? "1") ?? 1
            constant("minus_sigmoid", objective == "cross_entropy" ? -1 : -sigmoid)
            constant("one", 1)
            add("Mul", [current, "minus_sigmoid"], "scaled")
            add("Exp", [current], "exponential")
            add("Add", [current, "one"], "denominator")
            add("Reciprocal", [current], "transformed")
        } else if Self.exponential.contains(objective) {
            add("Exp", [current], "transformed")
        } else if objective == "multiclass" {
            // exp(x - max) / sum, all in float64 (Common::Softmax).
            let margin = current
            add("ReduceMax", [margin], "largest", [("axes", .ints([1])), ("keepdims", .int(1))])
            add("Sub", [margin, current], "shifted")
            add("Exp", [current], "exponentials")
            add("ReduceSum", [current], "sum", [("axes", .ints([1])), ("keepdims", .int(1))])
            add("Div", ["exponentials", current], "transformed")
        }
        if classes == 1 {
            add("Squeeze", [current], "prediction", [("axes", .ints([1]))])
        } else {
            add("Identity", [current], "prediction")
        }
        return ModelBlueprint(
            inputs: [ModelBlueprint.Port(name: "input", type: .double, shape: [nil, features])],
            outputs: [
                ModelBlueprint.Port(name: "prediction", type: .double, shape: classes == 1 ? [nil] : [nil, classes])
            ],
            nodes: nodes, opsets: ["": 12, "ai.onnx.ml": 5], producer: "kaizen-lightgbm")
    }

    public func engine() throws(FlavorError) -> ONNXModel {
        do { return try ONNXModel(blueprint: try blueprint()) } catch let error as FlavorError {
            throw error
        } catch {
            throw FlavorError("The LightGBM model does not load on Kaizen's engine: \(error)")
        }
    }

    /// The trees as one opset-5 `TreeEnsemble`: interior nodes of every tree in one list, leaves in another. A tree
    /// of a single leaf gets one interior node whose both branches lead to that leaf.
    func ensemble() throws -> ModelBlueprint.Node {
        var features: [Int64] = []
        var splits: [Double] = []
        var trueIDs: [Int64] = []
        var trueLeaf: [Int64] = []
        var falseIDs: [Int64] = []
        var falseLeaf: [Int64] = []
        var missingTrue: [Int64] = []
        var roots: [Int64] = []
        var leafTargets: [Int64] = []
        var leafWeights: [Double] = []
        for (index, tree) in trees.enumerated() {
            let interiorBase = features.count
            let leafBase = leafWeights.count
            roots.append(Int64(interiorBase))
            if tree.feature.isEmpty {
                features.append(0)
                splits.append(.infinity)
                trueIDs.append(Int64(leafBase))
                trueLeaf.append(1)
                falseIDs.append(Int64(leafBase))
                falseLeaf.append(1)
                missingTrue.append(1)
            }
            for node in tree.feature.indices {
                features.append(Int64(tree.feature[node]))
                splits.append(tree.threshold[node])
                func reference(_ child: Int) -> (id: Int64, leaf: Int64) {
                    child < 0 ? (Int64(leafBase + ~child), 1) : (Int64(interiorBase + child), 0)
                }
                let yes = reference(tree.left[node])
                let no = reference(tree.right[node])
                trueIDs.append(yes.id)
                trueLeaf.append(yes.leaf)
                falseIDs.append(no.id)
                falseLeaf.append(no.leaf)
                missingTrue.append(tree.missingGoesLeft[node] ? 1 : 0)
            }
            for value in tree.leafValue {
                leafTargets.append(Int64(index % classes))
                leafWeights.append(value)
            }
        }
        let count = features.count
        return ModelBlueprint.Node(
            "TreeEnsemble", domain: "ai.onnx.ml", inputs: ["input"], outputs: ["margin"],
            attributes: [
                ("n_targets", .int(Int64(classes))), ("aggregate_function", .int(1)), ("post_transform", .int(0)),
                ("tree_roots", .ints(roots)), ("nodes_featureids", .ints(features)),
                ("nodes_splits", .tensor(try Tensor(shape: [count], doubles: splits))),
                ("nodes_modes", .tensor(try Tensor(shape: [count], int64s: Array(repeating: 0, count: count)))),
                ("nodes_truenodeids", .ints(trueIDs)), ("nodes_trueleafs", .ints(trueLeaf)),
                ("nodes_falsenodeids", .ints(falseIDs)), ("nodes_falseleafs", .ints(falseLeaf)),
                ("nodes_missing_value_tracks_true", .ints(missingTrue)),
                ("leaf_targetids", .ints(leafTargets)),
                ("leaf_weights", .tensor(try Tensor(shape: [leafWeights.count], doubles: leafWeights))),
            ])
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
        if (Int(block["num_cat"] ?? "0") ?? 0) > 0 { throw fail("categorical splits are not supported yet") }
        if block["is_linear"] == "1" { throw fail("linear trees are not supported") }
        let interior = leaves - 1
        let leafValue = try numbers("leaf_value", leaves) { Double($0) }
        guard leafValue.allSatisfy(\.isFinite) else { throw fail("a leaf value is not finite") }
        let feature = try numbers("split_feature", interior) { Int($0) }
        let threshold = try numbers("threshold", interior) { Double($0) }
        let decision = try numbers("decision_type", interior) { Int($0) }
        let left = try numbers("left_child", interior) { Int($0) }
        let right = try numbers("right_child", interior) { Int($0) }
        var missingGoesLeft: [Bool] = []
        for node in 0..<interior {
            guard feature[node] >= 0, feature[node] < features else {
                throw fail("node \(node) splits on feature \(feature[node]) of \(features)")
            }
            guard !threshold[node].isNaN else { throw fail("node \(node) has a NaN threshold") }
            let type = decision[node]
            guard type & 1 == 0 else { throw fail("categorical splits are not supported yet") }
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
            leafValue: leafValue)
    }
}
