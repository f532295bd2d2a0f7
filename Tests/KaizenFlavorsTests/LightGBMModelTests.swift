import Foundation
import KaizenONNX
import Testing

@testable import KaizenFlavors

/// LightGBM text models: the graph computes what LightGBM computes, in float64, and malformed trees are refused.
struct LightGBMModelTests {
    /// Two features; tree 0 splits feature 0 at 0.5 (decision type `type`), leaves 1 and 2; tree 1 is one leaf of
    /// 0.25.
    static func text(
        objective: String = "regression", type: String = "2", threshold: String = "0.5", tree: [String: String] = [:],
        extra: String = ""
    ) -> String {
        var fields = [
            "num_leaves": "2", "num_cat": "0", "split_feature": "0", "threshold": threshold,
            "decision_type": type, "left_child": "-1", "right_child": "-2", "leaf_value": "1 2", "is_linear": "0",
        ]
        for (key, value) in tree { fields[key] = value }
        let first = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")
        return """
            tree
            version=v4
            num_class=1
            num_tree_per_iteration=1
            label_index=0
            max_feature_idx=1
            objective=\(objective)
            feature_names=a b
            \(extra)

            Tree=0
            \(first)

            Tree=1
            num_leaves=1
            num_cat=0
            leaf_value=0.25
            is_linear=0

            end of trees
            """
    }

    static func predict(_ text: String, _ rows: [[Double]]) throws -> [Double] {
        let engine = try LightGBMModel(text: text).engine()
        let input = try Tensor(shape: [rows.count, 2], doubles: rows.flatMap { $0 })
        return try #require(engine.run(["input": input])["prediction"]?.tensor?.doubles)
    }

    @Test func regressionComparesLessOrEqualInDoubles() throws {
        // 0.5 itself goes left (x <= threshold); a value just above goes right; no float32 rounding on the way.
        #expect(try Self.predict(Self.text(), [[0.5, 0], [0.5000000000000001, 0]]) == [1.25, 2.25])
    }

    @Test func missingValuesGoWhereLightGBMSendsThem() throws {
        // Missing type NaN (decision type 8 + default-left 2): NaN goes left; type None (2): NaN reads as 0.
        #expect(try Self.predict(Self.text(type: "10"), [[.nan, 0]]) == [1.25])
        #expect(try Self.predict(Self.text(type: "8"), [[.nan, 0]]) == [2.25])
        #expect(try Self.predict(Self.text(type: "2", threshold: "-1"), [[.nan, 0]]) == [2.25])
        #expect(try Self.predict(Self.text(type: "0", threshold: "1"), [[.nan, 0]]) == [1.25])
    }

    @Test func categorySplitsSendTheBitsetsMembersLeft() throws {
        // Categories 0 and 2 (bitset 5) go left; others, negatives and NaN right; a fraction is truncated toward zero
        // first, as LightGBM casts it to int (-0.5 is category 0).
        let text = Self.text(
            type: "9", threshold: "0", tree: ["num_cat": "1", "cat_boundaries": "0 1", "cat_threshold": "5"])
        let rows: [[Double]] = [
            [0, 0], [2, 0], [1, 0], [3, 0], [2.9, 0], [-0.5, 0], [-1, 0], [.nan, 0], [40, 0],
        ]
        #expect(try Self.predict(text, rows) == [1.25, 1.25, 2.25, 2.25, 1.25, 1.25, 2.25, 2.25, 2.25])
    }

    @Test func transformsAndAveraging() throws {
        let binary = try Self.predict(Self.text(objective: "binary sigmoid:2"), [[0, 0]])
        #expect(binary == [1 / (1 + exp(-2 * 1.25))])
        #expect(try Self.predict(Self.text(objective: "poisson"), [[0, 0]]) == [exp(1.25)])
        #expect(try Self.predict(Self.text(extra: "average_output"), [[0, 0]]) == [0.625])
    }

    @Test func badModelsAreRefusedWithTheReason() {
        let cases: [(String, String)] = [
            (Self.text(objective: "lambdarank_custom"), "objective 'lambdarank_custom' is not supported"),
            (Self.text(type: "1"), "names category set 0.5 of 0"),
            (
                Self.text(
                    type: "9", threshold: "1", tree: ["num_cat": "1", "cat_boundaries": "0 1", "cat_threshold": "5"]),
                "names category set 1.0 of 1"
            ),
            (
                Self.text(
                    type: "9", threshold: "0", tree: ["num_cat": "1", "cat_boundaries": "1 0", "cat_threshold": ""]),
                "cat_boundaries is not an increasing list from 0"
            ),
            (Self.text(type: "4"), "treats zero as missing"),
            (Self.text(tree: ["split_feature": "9"]), "splits on feature 9 of 2"),
            (Self.text(tree: ["left_child": "0"]), "out of range or already reached"),
            (Self.text(tree: ["right_child": "-1"]), "out of range or already reached"),
            (Self.text(tree: ["left_child": "-5"]), "out of range or already reached"),
            (Self.text(tree: ["leaf_value": "1"]), "'leaf_value' has 1 values, expected 2"),
            (Self.text(tree: ["threshold": "abc"]), "'threshold' holds 'abc'"),
            (Self.text(tree: ["threshold": "nan"]), "NaN threshold"),
            (Self.text(tree: ["num_leaves": "-3"]), "num_leaves is missing or invalid"),
            (Self.text(tree: ["is_linear": "1"]), "linear trees are not supported"),
            (Self.text(tree: ["num_cat": "2"]), "num_cat is invalid"),
            (Self.text(extra: "") + "\npandas_categorical:[[\"a\", \"b\"]]\n", "pandas category columns"),
            ("hello", "not in LightGBM's text format"),
        ]
        for (text, message) in cases {
            do {
                _ = try LightGBMModel(text: text)
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }
}
