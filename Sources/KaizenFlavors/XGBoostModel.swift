import Foundation
public import KaizenCore
public import KaizenONNX

/// An XGBoost model read from its documented JSON schema (`.json`) or the same document in UBJSON (`.ubj`, what
/// `mlflow.xgboost` saves by default), validated, and described as a graph of the engine's operators: one
/// `TreeEnsembleRegressor` summing the trees' leaves into a margin per class (plus the base score's margin), then
/// the objective's transform, then what `predict` returns for the model's class (a `Booster`, an `XGBRegressor`, an
/// `XGBClassifier`). Features are compared in float32 against float32 thresholds, as XGBoost does.
public struct XGBoostModel: Sendable {
    /// One tree: XGBoost's parallel arrays, `-1` children on leaves; a leaf's value is its `split_conditions` entry.
    public struct Tree: Sendable {
        public var left: [Int]
        public var right: [Int]
        public var feature: [Int]
        public var condition: [Float]
        public var defaultLeft: [Bool]
    }

    /// What `predict` gives for the class the model was saved from (MLmodel's `model_class`).
    public enum Kind: Sendable, Equatable {
        /// `xgboost.core.Booster` and `XGBRegressor`: the transformed prediction (probabilities for classification
        /// objectives).
        case booster
        /// `XGBClassifier`: class labels 0 to K-1.
        case classifier
    }

    public var objective: String
    public var classes: Int
    public var features: Int
    /// The base score as saved (probability space for logistic objectives), one per class or one for all.
    public var baseScore: [Float]
    public var trees: [Tree]
    /// The class (output column) each tree adds to.
    public var treeClass: [Int]
    /// Feature names, when saved (the scikit-learn wrapper saves the training columns).
    public var featureNames: [String]

    /// The objectives served, and the transform from margin to prediction each applies.
    static let transforms: [String: String] = [
        "reg:squarederror": "identity", "reg:squaredlogerror": "identity", "reg:pseudohubererror": "identity",
        "reg:absoluteerror": "identity", "reg:linear": "identity", "binary:logitraw": "identity",
        "reg:logistic": "sigmoid", "binary:logistic": "sigmoid", "count:poisson": "exp", "reg:gamma": "exp",
        "reg:tweedie": "exp", "multi:softprob": "softmax", "multi:softmax": "argmax",
    ]

    /// The most nodes a model may have in all, so a hostile file cannot make the engine allocate without bound.
    public static let maximumNodes = 50_000_000

    /// Reads `bytes` as UBJSON when `format` is `ubj`, else as JSON.
    public init(bytes: [UInt8], format: String) throws(FlavorError) {
        let document: JSONValue
        if format == "ubj" {
            document = try UBJSON.parse(bytes)
        } else {
            do { document = try JSONValue(parsing: bytes) } catch {
                throw FlavorError("The XGBoost model is not valid JSON: \(error)")
            }
        }
        try self.init(document: document)
    }

    public init(document: JSONValue) throws(FlavorError) {
        guard let learner = document["learner"] else { throw FlavorError("The XGBoost model has no 'learner'") }
        guard let objective = learner["objective"]?["name"]?.stringValue else {
            throw FlavorError("The XGBoost model has no objective name")
        }
        guard Self.transforms[objective] != nil else {
            throw FlavorError(
                "XGBoost objective '\(objective)' is not supported; Kaizen serves "
                    + Self.transforms.keys.sorted().joined(separator: ", "))
        }
        let parameters = learner["learner_model_param"]
        let booster = learner["gradient_booster"]
        guard booster?["name"]?.stringValue == "gbtree" else {
            throw FlavorError(
                "XGBoost booster '\(booster?["name"]?.stringValue ?? "?")' is not supported; Kaizen serves gbtree models"
            )
        }
        guard let model = booster?["model"], let treeList = model["trees"]?.arrayValue else {
            throw FlavorError("The XGBoost model has no trees")
        }
        self.objective = objective
        let numClass = try Self.integer(parameters?["num_class"], "num_class") ?? 0
        self.classes = max(1, numClass)
        self.features = try Self.integer(parameters?["num_feature"], "num_feature") ?? 0
        guard (1...1_000_000).contains(features), classes <= 100_000 else {
            throw FlavorError("The XGBoost model declares \(features) features and \(classes) classes")
        }
        if let targets = try Self.integer(parameters?["num_target"], "num_target"), targets > 1 {
            throw FlavorError("Multi-target XGBoost models (num_target = \(targets)) are not supported")
        }
        self.baseScore = try Self.floats(parameters?["base_score"])
        guard baseScore.count == 1 || baseScore.count == classes else {
            throw FlavorError("The XGBoost model has \(baseScore.count) base scores for \(classes) classes")
        }
        var info: [Int] = []
        for value in model["tree_info"]?.arrayValue ?? [] {
            guard let index = value.int64Value, index >= 0, index < Int64(max(1, numClass)) else {
                throw FlavorError("The XGBoost model's tree_info names a class outside 0..<\(max(1, numClass))")
            }
            info.append(Int(index))
        }
        guard info.count == treeList.count else {
            throw FlavorError("The XGBoost model has \(treeList.count) trees and \(info.count) tree_info entries")
        }
        self.treeClass = info
        var trees: [Tree] = []
        var nodes = 0
        for (index, item) in treeList.enumerated() {
            let tree = try Self.tree(item, index: index, features: features)
            nodes += tree.left.count
            guard nodes <= Self.maximumNodes else {
                throw FlavorError("The XGBoost model has more than \(Self.maximumNodes) nodes")
            }
            trees.append(tree)
        }
        self.trees = trees
        self.featureNames = (learner["feature_names"]?.arrayValue ?? []).compactMap(\.stringValue)
    }

    /// The margin a base score stands for under the objective (XGBoost's `ProbToMargin`), in float32 as XGBoost
    /// computes it.
    func baseMargin(_ score: Float) -> Float {
        switch objective {
        case "binary:logistic", "reg:logistic": -logf(1 / score - 1)
        case "count:poisson", "reg:gamma", "reg:tweedie": logf(score)
        default: score
        }
    }

    /// The graph that computes `predict` for a model of `kind`: input `input` float[N, features], output
    /// `prediction` (float[N] or float[N, K] for a booster, int64[N] labels for a classifier).
    public func blueprint(kind: Kind) throws(FlavorError) -> ModelBlueprint {
        var nodes: [ModelBlueprint.Node] = [ensemble()]
        let transform = Self.transforms[objective] ?? "identity"
        var current = "margin"
        func add(
            _ op: String, _ inputs: [String], _ output: String, _ attributes: [(String, ModelBlueprint.Attribute)] = []
        ) {
            nodes.append(ModelBlueprint.Node(op, inputs: inputs, outputs: [output], attributes: attributes))
            current = output
        }
        switch transform {
        case "sigmoid":
            // XGBoost's 1 / (1 + exp(-x)) in float32, term for term (the engine's Sigmoid, like onnxruntime's, takes
            // another route for negative margins, which differs in the last bits of small probabilities).
            nodes.append(
                ModelBlueprint.Node("Constant", inputs: [], outputs: ["one"], attributes: [("value_float", .float(1))]))
            add("Neg", [current], "negated")
            add("Exp", [current], "exponential")
            add("Add", [current, "one"], "denominator")
            add("Reciprocal", [current], "transformed")
        case "exp": add("Exp", [current], "transformed")
        case "softmax":
            // XGBoost's softmax: exp(x - max) in float32, summed in float64, divided in float32.
            let margin = current
            add("ReduceMax", [margin], "largest", [("axes", .ints([1])), ("keepdims", .int(1))])
            add("Sub", [margin, current], "shifted")
            add("Exp", [current], "exponentials")
            add("Cast", [current], "wide", [("to", .int(Int64(ElementType.double.onnxDataType)))])
            add("ReduceSum", [current], "wide_sum", [("axes", .ints([1])), ("keepdims", .int(1))])
            add("Cast", [current], "sum", [("to", .int(Int64(ElementType.float.onnxDataType)))])
            add("Div", ["exponentials", current], "transformed")
        case "argmax":
            add("ArgMax", [current], "best", [("axis", .int(1)), ("keepdims", .int(0))])
            add("Cast", [current], "prediction", [("to", .int(Int64(ElementType.float.onnxDataType)))])
        default: break
        }
        let output: ModelBlueprint.Port
        switch kind {
        case .booster:
            if transform != "argmax" {
                if classes == 1 {
                    add("Squeeze", [current], "prediction", [("axes", .ints([1]))])
                } else {
                    add("Identity", [current], "prediction")
                }
            }
            let shape: [Int?] = classes == 1 || transform == "argmax" ? [nil] : [nil, classes]
            output = ModelBlueprint.Port(name: "prediction", type: .float, shape: shape)
        case .classifier:
            switch transform {
            case "argmax":
                nodes.removeLast()  // the labels are the ArgMax's int64 indices
                add("Identity", ["best"], "prediction")
            case _ where classes > 1:
                add("ArgMax", [current], "prediction", [("axis", .int(1)), ("keepdims", .int(0))])
            default:
                // Binary: class 1 where the prediction is over one half, as XGBClassifier.predict decides.
                nodes.append(
                    ModelBlueprint.Node(
                        "Constant", inputs: [], outputs: ["half"], attributes: [("value_float", .float(0.5))]))
                add("Greater", [current, "half"], "over")
                add("Cast", [current], "labels", [("to", .int(Int64(ElementType.int64.onnxDataType)))])
                add("Squeeze", [current], "prediction", [("axes", .ints([1]))])
            }
            output = ModelBlueprint.Port(name: "prediction", type: .int64, shape: [nil])
        }
        return ModelBlueprint(
            inputs: [ModelBlueprint.Port(name: "input", type: .float, shape: [nil, features])], outputs: [output],
            nodes: nodes, opsets: ["": 12, "ai.onnx.ml": 3], producer: "kaizen-xgboost")
    }

    /// Loads the model's graph on Kaizen's engine.
    public func engine(kind: Kind) throws(FlavorError) -> ONNXModel {
        do { return try ONNXModel(blueprint: try blueprint(kind: kind)) } catch let error as FlavorError {
            throw error
        } catch {
            throw FlavorError("The XGBoost model does not load on Kaizen's engine: \(error)")
        }
    }

    /// Every tree as one `TreeEnsembleRegressor` with a target per class: node ids are XGBoost's, a split sends
    /// `x < condition` to the left child and a missing value where `default_left` says. The base margin comes first,
    /// as a one-leaf tree per class, so the float32 sum runs in XGBoost's order (base, then the trees in order).
    func ensemble() -> ModelBlueprint.Node {
        var treeIDs: [Int64] = []
        var nodeIDs: [Int64] = []
        var featureIDs: [Int64] = []
        var values: [Float] = []
        var modes: [String] = []
        var trueIDs: [Int64] = []
        var falseIDs: [Int64] = []
        var missingTrue: [Int64] = []
        var targetTrees: [Int64] = []
        var targetNodes: [Int64] = []
        var targetIDs: [Int64] = []
        var weights: [Float] = []
        func appendLeaf(tree: Int, node: Int, target: Int, weight: Float) {
            treeIDs.append(Int64(tree))
            nodeIDs.append(Int64(node))
            featureIDs.append(0)
            values.append(0)
            modes.append("LEAF")
            trueIDs.append(0)
            falseIDs.append(0)
            missingTrue.append(0)
            targetTrees.append(Int64(tree))
            targetNodes.append(Int64(node))
            targetIDs.append(Int64(target))
            weights.append(weight)
        }
        for target in 0..<classes {
            let base = baseMargin(baseScore.count == 1 ? baseScore[0] : baseScore[target])
            appendLeaf(tree: target, node: 0, target: target, weight: base)
        }
        for (position, tree) in trees.enumerated() {
            let index = position + classes
            for node in 0..<tree.left.count {
                if tree.left[node] < 0 {
                    appendLeaf(tree: index, node: node, target: treeClass[position], weight: tree.condition[node])
                } else {
                    treeIDs.append(Int64(index))
                    nodeIDs.append(Int64(node))
                    featureIDs.append(Int64(tree.feature[node]))
                    values.append(tree.condition[node])
                    modes.append("BRANCH_LT")
                    trueIDs.append(Int64(tree.left[node]))
                    falseIDs.append(Int64(tree.right[node]))
                    missingTrue.append(tree.defaultLeft[node] ? 1 : 0)
                }
            }
        }
        return ModelBlueprint.Node(
            "TreeEnsembleRegressor", domain: "ai.onnx.ml", inputs: ["input"], outputs: ["margin"],
            attributes: [
                ("n_targets", .int(Int64(classes))), ("aggregate_function", .string("SUM")),
                ("post_transform", .string("NONE")),
                ("nodes_treeids", .ints(treeIDs)), ("nodes_nodeids", .ints(nodeIDs)),
                ("nodes_featureids", .ints(featureIDs)), ("nodes_values", .floats(values)),
                ("nodes_modes", .strings(modes)), ("nodes_truenodeids", .ints(trueIDs)),
                ("nodes_falsenodeids", .ints(falseIDs)), ("nodes_missing_value_tracks_true", .ints(missingTrue)),
                ("target_treeids", .ints(targetTrees)), ("target_nodeids", .ints(targetNodes)),
                ("target_ids", .ints(targetIDs)), ("target_weights", .floats(weights)),
            ])
    }

    /// Reads and checks one tree: arrays of one length, children in range, every node reached once from the root
    /// (no cycles, no shared children), features in range, numerical splits only.
    static func tree(_ value: JSONValue, index: Int, features: Int) throws(FlavorError) -> Tree {
        func fail(_ problem: String) -> FlavorError { FlavorError("XGBoost tree \(index): \(problem)") }
        func ints(_ key: String) throws(FlavorError) -> [Int] {
            guard let items = value[key]?.arrayValue else { throw fail("'\(key)' is missing") }
            var result: [Int] = []
            result.reserveCapacity(items.count)
            for item in items {
                guard let number = item.int64Value, number >= -1, number <= Int64(Int32.max) else {
                    throw fail("'\(key)' holds \(item.messageText)")
                }
                result.append(Int(number))
            }
            return result
        }
        let left = try ints("left_children")
        let right = try ints("right_children")
        let feature = try ints("split_indices")
        let defaultLeft = try ints("default_left")
        guard let conditions = value["split_conditions"]?.arrayValue else {
            throw fail("'split_conditions' is missing")
        }
        let count = left.count
        guard count > 0, [right.count, feature.count, defaultLeft.count, conditions.count].allSatisfy({ $0 == count })
        else { throw fail("its node arrays differ in length") }
        if let size = Int(value["tree_param"]?["size_leaf_vector"]?.stringValue ?? "1"), size > 1 {
            throw fail("vector leaves (size_leaf_vector = \(size)) are not supported")
        }
        if let types = value["split_type"]?.arrayValue, types.contains(where: { $0.int64Value != 0 }) {
            throw fail("categorical splits are not supported yet")
        }
        var condition: [Float] = []
        condition.reserveCapacity(count)
        for item in conditions {
            guard let number = item.doubleValue else { throw fail("'split_conditions' holds \(item.messageText)") }
            condition.append(Float(number))
        }
        var reached = [Bool](repeating: false, count: count)
        var stack = [0]
        reached[0] = true
        while let node = stack.popLast() {
            let (l, r) = (left[node], right[node])
            if l < 0 || r < 0 {
                guard l == -1, r == -1 else { throw fail("node \(node) has one child") }
                continue
            }
            guard l < count, r < count, l != r else { throw fail("node \(node) has a child out of range") }
            guard !reached[l], !reached[r] else { throw fail("node \(node) leads back to a node already reached") }
            guard feature[node] >= 0, feature[node] < features else {
                throw fail("node \(node) splits on feature \(feature[node]) of \(features)")
            }
            guard condition[node].isFinite || condition[node] == .infinity else {
                throw fail("node \(node) splits at \(condition[node])")
            }
            reached[l] = true
            reached[r] = true
            stack += [l, r]
        }
        // Nodes the root does not reach (deleted ones) become leaves of value 0 that no row ever gets to.
        var cleanLeft = left
        var cleanRight = right
        var cleanCondition = condition
        for node in 0..<count where !reached[node] {
            cleanLeft[node] = -1
            cleanRight[node] = -1
            cleanCondition[node] = 0
        }
        return Tree(
            left: cleanLeft, right: cleanRight, feature: feature, condition: cleanCondition,
            defaultLeft: defaultLeft.map { $0 != 0 })
    }

    static func integer(_ value: JSONValue?, _ name: String) throws(FlavorError) -> Int? {
        guard let value else { return nil }
        if let number = value.int64Value { return Int(number) }
        guard let text = value.stringValue, let number = Int(text) else {
            throw FlavorError("The XGBoost model's \(name) is \(value.messageText), not an integer")
        }
        return number
    }

    /// `"5E-1"`, `"[6.274165E-1]"` or `"[0E0,0E0,0E0]"` (XGBoost 2 and 3 write base scores as text).
    static func floats(_ value: JSONValue?) throws(FlavorError) -> [Float] {
        guard let text = value?.stringValue else { return [0.5] }
        let trimmed = text.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let parts = trimmed.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0?.isFinite == true }) else {
            throw FlavorError("The XGBoost model's base_score '\(text)' is not a list of numbers")
        }
        return parts.compactMap { $0 }
    }
}
