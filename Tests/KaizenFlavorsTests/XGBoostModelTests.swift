import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenFlavors

/// XGBoost documents: the graph computes what XGBoost computes, and malformed or hostile trees are refused at load.
struct XGBoostModelTests {
    /// A model with two features: tree 0 splits feature 0 at 0.5 (missing goes left), leaves 1 and 2; tree 1 is a leaf
    /// of 0.25.
    static func document(
        objective: String = "reg:squarederror", baseScore: String = "[5E-1]", tree: [String: JSONValue] = [:],
        numClass: String = "0", treeInfo: [JSONValue] = [0, 0]
    ) -> JSONValue {
        var first: [(String, JSONValue)] = [
            ("left_children", [1, -1, -1]), ("right_children", [2, -1, -1]), ("split_indices", [0, 0, 0]),
            ("split_conditions", [0.5, 1, 2]), ("default_left", [1, 0, 0]), ("split_type", [0, 0, 0]),
            ("tree_param", .object([("size_leaf_vector", "1")])),
        ]
        for (key, value) in tree {
            first.removeAll { $0.0 == key }
            first.append((key, value))
        }
        let second: JSONValue = .object([
            ("left_children", [-1]), ("right_children", [-1]), ("split_indices", [0]), ("split_conditions", [0.25]),
            ("default_left", [0]), ("split_type", [0]),
        ])
        return .object([
            (
                "learner",
                .object([
                    ("objective", .object([("name", .string(objective))])),
                    (
                        "learner_model_param",
                        .object([
                            ("base_score", .string(baseScore)), ("num_class", .string(numClass)),
                            ("num_feature", "2"), ("num_target", "1"),
                        ])
                    ),
                    (
                        "gradient_booster",
                        .object([
                            ("name", "gbtree"),
                            (
                                "model",
                                .object([("trees", .array([.object(first), second])), ("tree_info", .array(treeInfo))])
                            ),
                        ])
                    ),
                    ("feature_names", ["a", "b"]),
                ])
            )
        ])
    }

    static func predict(_ document: JSONValue, kind: XGBoostModel.Kind, _ rows: [[Float]]) throws -> Tensor {
        let engine = try XGBoostModel(document: document).engine(kind: kind)
        let input = try Tensor(shape: [rows.count, 2], floats: rows.flatMap { $0 })
        return try #require(engine.run(["input": input])["prediction"]?.tensor)
    }

    @Test func regressionSumsTheBaseAndTheLeaves() throws {
        let out = try Self.predict(Self.document(), kind: .booster, [[0.4, 0], [0.5, 0], [.nan, 0]])
        // 0.5 + leaf + 0.25: x < 0.5 goes left (1), 0.5 itself goes right (2), NaN goes where default_left says.
        #expect(out.shape == [3])
        #expect(out.floats == [1.75, 2.75, 1.75])
    }

    @Test func logisticObjectivesTakeTheBaseScoreAsAProbability() throws {
        let document = Self.document(objective: "binary:logistic", baseScore: "[5E-1]")
        let probabilities = try Self.predict(document, kind: .booster, [[0, 0], [1, 0]])
        let expected: [Float] = [1.25, 2.25].map { 1 / (1 + expf(-$0)) }
        for (got, want) in zip(probabilities.floats ?? [], expected) { #expect(abs(got - want) < 1e-6) }
        let labels = try Self.predict(document, kind: .classifier, [[0, 0], [1, 0]])
        #expect(labels.int64s == [1, 1])
        let negative = Self.document(objective: "binary:logistic", baseScore: "[1E-2]")
        #expect(try Self.predict(negative, kind: .classifier, [[0, 0]]).int64s == [0])
    }

    @Test func multiclassGivesProbabilitiesOrLabels() throws {
        let document = Self.document(
            objective: "multi:softprob", baseScore: "[0E0,0E0]", numClass: "2", treeInfo: [0, 1])
        let probabilities = try Self.predict(document, kind: .booster, [[0, 0], [1, 0]])
        #expect(probabilities.shape == [2, 2])
        // Class 0 scores 1 or 2 (tree 0), class 1 always 0.25 (tree 1): class 0 wins both rows.
        #expect(try Self.predict(document, kind: .classifier, [[0, 0], [1, 0]]).int64s == [0, 0])
        let softmax = Self.document(
            objective: "multi:softmax", baseScore: "[0E0,0E0]", numClass: "2", treeInfo: [0, 1])
        #expect(try Self.predict(softmax, kind: .booster, [[0, 0]]).floats == [0])
    }

    @Test func badModelsAreRefusedWithTheReason() {
        let cases: [(JSONValue, String)] = [
            (Self.document(objective: "rank:pairwise"), "objective 'rank:pairwise' is not supported"),
            (
                Self.document(tree: ["left_children": [1, 0, -1], "right_children": [2, 2, -1]]),
                "leads back to a node already reached"
            ),
            (Self.document(tree: ["left_children": [7, -1, -1]]), "a child out of range"),
            (Self.document(tree: ["left_children": [1, 1, -1], "right_children": [1, -1, -1]]), "out of range"),
            (Self.document(tree: ["right_children": [-1, -1, -1]]), "node 0 has one child"),
            (Self.document(tree: ["split_indices": [5, 0, 0]]), "splits on feature 5 of 2"),
            (Self.document(tree: ["split_type": [1, 0, 0]]), "categorical splits are not supported yet"),
            (Self.document(tree: ["split_conditions": [0.5, 1]]), "its node arrays differ in length"),
            (Self.document(tree: ["split_conditions": ["x", 1, 2]]), "'split_conditions' holds"),
            (Self.document(tree: ["left_children": [1, -2, -1]]), "'left_children' holds"),
            (Self.document(treeInfo: [0, 3]), "tree_info names a class outside"),
            (Self.document(treeInfo: [0]), "2 trees and 1 tree_info entries"),
            (Self.document(baseScore: "[a]"), "base_score '[a]' is not a list of numbers"),
            (.object([]), "has no 'learner'"),
        ]
        for (document, message) in cases {
            do {
                _ = try XGBoostModel(document: document)
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }
}
