import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenFlavors

/// Pipelines over named, mixed columns: a `ColumnTransformer` one-hot encoding a text column, passing a number
/// through and dropping a third column, before a linear regression.
struct ColumnTransformerTests {
    typealias Skops = SkopsTests

    static func node(_ module: String, _ name: String, _ loader: String, _ body: String) -> String {
        #"{"__class__": "\#(name)", "__module__": "\#(module)", "__loader__": "\#(loader)", \#(body)}"#
    }

    static func object(_ module: String, _ name: String, _ fields: [String: String]) -> String {
        let content = fields.map { #""\#($0.key)": \#($0.value)"# }.joined(separator: ", ")
        return node(
            module, name, "ObjectNode",
            #""content": \#(node("builtins", "dict", "DictNode", #""content": {\#(content)}"#))"#)
    }

    static func list(_ items: [String], tuple: Bool = false) -> String {
        node(
            "builtins", tuple ? "tuple" : "list", tuple ? "TupleNode" : "ListNode",
            #""content": [\#(items.joined(separator: ", "))]"#)
    }

    static func text(_ value: String) -> String { Skops.json(#"\"\#(value)\""#) }

    static func texts(_ values: [String]) -> String {
        node(
            "numpy", "ndarray", "NdArrayNode",
            #""type": "json", "content": [\#(values.map(text).joined(separator: ", "))]"#)
    }

    /// `color` (text: blue, red) one-hot encoded with `handle_unknown`, `w` passed through, `x` dropped; then
    /// `1 * blue + 2 * red + 10 * w`.
    static func model(handleUnknown: String = "error") -> [UInt8] {
        let encoder = object(
            "sklearn.preprocessing._encoders", "OneHotEncoder",
            [
                "n_features_in_": Skops.json("1"), "categories_": list([texts(["blue", "red"])]),
                "handle_unknown": text(handleUnknown), "drop_idx_": Skops.json("null"),
            ])
        let columns = object(
            "sklearn.compose._column_transformer", "ColumnTransformer",
            [
                "n_features_in_": Skops.json("3"), "feature_names_in_": texts(["color", "w", "x"]),
                "transformers_": list([
                    list([text("onehot"), encoder, list([text("color")])], tuple: true),
                    list([text("numbers"), text("passthrough"), list([text("w")])], tuple: true),
                    list([text("remainder"), text("drop"), list([Skops.json("2")])], tuple: true),
                ]),
                "_transformer_to_input_indices": node(
                    "builtins", "dict", "DictNode",
                    #""content": {"onehot": \#(list([Skops.json("0")])), "numbers": \#(list([Skops.json("1")])), "remainder": \#(list([Skops.json("2")]))}"#
                ),
            ])
        let regression = object(
            "sklearn.linear_model._base", "LinearRegression",
            [
                "n_features_in_": Skops.json("3"), "coef_": Skops.array("coef.npy"),
                "intercept_": Skops.array("intercept.npy"),
            ])
        let pipeline = object(
            "sklearn.pipeline", "Pipeline",
            [
                "steps": list([
                    list([text("columns"), columns], tuple: true), list([text("model"), regression], tuple: true),
                ])
            ])
        return Skops.zip([
            ("schema.json", Array(pipeline.utf8)), ("coef.npy", Skops.npy("<f8", "(3,)", Skops.doubles([1, 2, 10]))),
            ("intercept.npy", Skops.npy("<f8", "()", Skops.doubles([0]))),
        ])
    }

    static func run(_ engine: ONNXModel, _ colors: [String], _ numbers: [Double]) throws -> [Double]? {
        let feeds = [
            "color": try Tensor(shape: [colors.count, 1], strings: colors),
            "w": try Tensor(shape: [numbers.count, 1], doubles: numbers),
        ]
        return try engine.run(feeds)["prediction"]?.tensor?.doubles
    }

    @Test func textIsOneHotEncodedAndADroppedColumnIsNoInput() throws {
        let model = try SklearnModel(bytes: Self.model())
        #expect(model.featureNames == ["color", "w", "x"])
        let engine = try model.engine()
        #expect(engine.inputs.map(\.name) == ["color", "w"])
        #expect(try Self.run(engine, ["red", "blue"], [0.5, 1]) == [7, 11])
    }

    @Test func anUnknownCategoryIsRefusedOrIgnoredAsFitted() throws {
        let strict = try SklearnModel(bytes: Self.model()).engine()
        #expect(throws: (any Error).self) { try Self.run(strict, ["red", "green"], [0, 0]) }
        do { _ = try Self.run(strict, ["red", "green"], [0, 0]) } catch {
            #expect("\(error)".contains("not a known category"), "\(error)")
        }
        let lenient = try SklearnModel(bytes: Self.model(handleUnknown: "ignore")).engine()
        #expect(try Self.run(lenient, ["red", "green"], [0, 0.25]) == [2, 2.5])
    }
}
