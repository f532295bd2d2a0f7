import Foundation
import KaizenONNX
import Testing

/// A forest written with one target per leaf repeats each tree once per class; the engine walks such a tree once
/// and adds every class's weight, with the same sums (and averages over the model's own tree count).
struct RepeatedTreesTests {
    /// Tree A (`x0 <= 0.5`) for target 0 with leaves `a0`, its repeat for target 1 with leaves `a1`, and tree C
    /// (`x1 <= 0`, leaves 10 and 20) for target 0, in `order`.
    static func engine(order: [String], aggregate: Int64) throws -> ONNXModel {
        var features: [Int64] = []
        var splits: [Double] = []
        var trueIDs: [Int64] = []
        var falseIDs: [Int64] = []
        var roots: [Int64] = []
        var targets: [Int64] = []
        var weights: [Double] = []
        let trees: [String: (feature: Int64, split: Double, target: Int64, leaves: [Double])] = [
            "a0": (0, 0.5, 0, [1, 2]), "a1": (0, 0.5, 1, [3, 4]), "c": (1, 0, 0, [10, 20]),
        ]
        for name in order {
            let tree = try #require(trees[name])
            roots.append(Int64(features.count))
            features.append(tree.feature)
            splits.append(tree.split)
            trueIDs.append(Int64(weights.count))
            falseIDs.append(Int64(weights.count + 1))
            targets += [tree.target, tree.target]
            weights += tree.leaves
        }
        let count = features.count
        let node = ModelBlueprint.Node(
            "TreeEnsemble", domain: "ai.onnx.ml", inputs: ["input"], outputs: ["prediction"],
            attributes: [
                ("n_targets", .int(2)), ("aggregate_function", .int(aggregate)), ("post_transform", .int(0)),
                ("tree_roots", .ints(roots)), ("nodes_featureids", .ints(features)),
                ("nodes_splits", .tensor(try Tensor(shape: [count], doubles: splits))),
                ("nodes_modes", .tensor(try Tensor(shape: [count], int64s: Array(repeating: 0, count: count)))),
                ("nodes_truenodeids", .ints(trueIDs)), ("nodes_trueleafs", .ints(Array(repeating: 1, count: count))),
                ("nodes_falsenodeids", .ints(falseIDs)),
                ("nodes_falseleafs", .ints(Array(repeating: 1, count: count))),
                ("nodes_missing_value_tracks_true", .ints(Array(repeating: 0, count: count))),
                ("leaf_targetids", .ints(targets)),
                ("leaf_weights", .tensor(try Tensor(shape: [weights.count], doubles: weights))),
            ])
        return try ONNXModel(
            blueprint: ModelBlueprint(
                inputs: [ModelBlueprint.Port(name: "input", type: .double, shape: [nil, 2])],
                outputs: [ModelBlueprint.Port(name: "prediction", type: .double, shape: [nil, 2])], nodes: [node],
                opsets: ["": 13, "ai.onnx.ml": 5], producer: "test"))
    }

    static func run(_ engine: ONNXModel) throws -> [Double]? {
        let rows = try Tensor(shape: [3, 2], doubles: [0, 1, 1, -1, 0.5, 0])
        return try engine.run(["input": rows])["prediction"]?.tensor?.doubles
    }

    @Test func repeatedTreesAddEveryClassOnce() throws {
        // Rows (0, 1), (1, -1), (0.5, 0): target 0 = A + C, target 1 = A's repeat.
        let expected: [Double] = [1 + 20, 3, 2 + 10, 4, 1 + 10, 3]
        for order in [["a0", "c", "a1"], ["a0", "a1", "c"], ["a1", "a0", "c"], ["c", "a0", "a1"]] {
            #expect(try Self.run(Self.engine(order: order, aggregate: 1)) == expected, "\(order)")
        }
        // AVERAGE divides by the model's three trees, not the two walked.
        let averaged = try Self.run(Self.engine(order: ["a0", "c", "a1"], aggregate: 0))
        #expect(averaged == expected.map { $0 / 3 })
    }
}
