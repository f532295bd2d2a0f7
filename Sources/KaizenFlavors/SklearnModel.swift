import KaizenCore
public import KaizenONNX

/// A scikit-learn estimator read from skops, described as a graph of the engine's operators in float64, as
/// scikit-learn computes: a `Pipeline` of scalers ending in a linear model. `predict` is what the graph answers
/// (regressions as float64, classifiers as their `classes_`).
public struct SklearnModel: Sendable {
    public typealias Value = SkopsDocument.Value

    /// Regressors whose `predict` is `X @ coef_.T + intercept_`.
    static let linearRegressors: Set<String> = [
        "sklearn.linear_model._base.LinearRegression", "sklearn.linear_model._ridge.Ridge",
        "sklearn.linear_model._ridge.RidgeCV", "sklearn.linear_model._coordinate_descent.Lasso",
        "sklearn.linear_model._coordinate_descent.ElasticNet", "sklearn.linear_model._coordinate_descent.LassoCV",
        "sklearn.linear_model._coordinate_descent.ElasticNetCV",
        "sklearn.linear_model._stochastic_gradient.SGDRegressor",
        "sklearn.linear_model._huber.HuberRegressor", "sklearn.linear_model._bayes.BayesianRidge",
        "sklearn.linear_model._bayes.ARDRegression", "sklearn.svm._classes.LinearSVR",
    ]
    /// Classifiers whose `predict` is `classes_[argmax(X @ coef_.T + intercept_)]` (or `> 0` for two classes).
    static let linearClassifiers: Set<String> = [
        "sklearn.linear_model._logistic.LogisticRegression", "sklearn.linear_model._logistic.LogisticRegressionCV",
        "sklearn.linear_model._ridge.RidgeClassifier", "sklearn.linear_model._stochastic_gradient.SGDClassifier",
        "sklearn.linear_model._perceptron.Perceptron", "sklearn.svm._classes.LinearSVC",
    ]
    static let transformers: Set<String> = [
        "sklearn.preprocessing._data.StandardScaler", "sklearn.preprocessing._data.MinMaxScaler",
        "sklearn.preprocessing._data.MaxAbsScaler", "sklearn.preprocessing._data.RobustScaler",
    ]
    /// Every class a skops file may hold for Kaizen to load it.
    public static let allowedClasses: Set<String> =
        linearRegressors.union(linearClassifiers).union(transformers).union(treeRegressors).union(treeClassifiers)
        .union(boostingRegressors).union(boostingClassifiers).union(boostingParts).union(reshapingTransformers)
        .union(naiveBayes).union(networkParts).union(kernelClassifiers).union(kernelRegressors)
        .union(neighborsParts).union([neighborsClassifier, neighborsRegressor]).union(lightgbmParts)
        .union(columnSteps).union([
            perceptronRegressor, perceptronClassifier,
        ])
        .union([
            "sklearn.pipeline.Pipeline",
            // Data a fitted classifier keeps and `predict` does not use.
            "sklearn.preprocessing._label.LabelBinarizer",
            // A forest's trees (read through skops' TreeNode) and the estimators that hold them.
            "sklearn.tree._tree.Tree",
        ])

    public let root: Value

    public init(bytes: [UInt8]) throws(FlavorError) {
        self.root = try SkopsDocument(bytes: bytes, allowedClasses: Self.allowedClasses).root
    }

    /// The names of the columns the model was fitted on, when it was fitted on a DataFrame.
    public var featureNames: [String] {
        guard let first = Self.steps(root).first?.fields, case .list(let names)? = first["feature_names_in_"] else {
            return []
        }
        return names.compactMap { if case .json(.string(let name)) = $0 { name } else { nil } }
    }

    /// What the graph answers: `predict`, or `predict_proba` (the pyfunc's `predict_fn`).
    public enum Method: String, Sendable {
        case predict
        case predictProba = "predict_proba"
    }

    /// The graph computing `method`: input `input` double[N, features], output `prediction`.
    public func blueprint(method: Method = .predict) throws(FlavorError) -> ModelBlueprint {
        var builder = Builder()
        builder.probabilities = method == .predictProba
        let steps = Self.steps(root)
        guard let first = steps.first?.fields, let features = Self.featuresIn(first), features > 0
        else {
            throw FlavorError("The scikit-learn model has no n_features_in_ (was it fitted?)")
        }
        // A model reading text (an encoder with text categories) or leaving columns out takes one input per column
        // it reads, named as it was fitted; otherwise it takes one double matrix.
        let uses = Self.columnUses(of: steps[0], width: features)
        var inputs = [ModelBlueprint.Port(name: "input", type: .double, shape: [nil, features])]
        var source = Builder.Source.matrix("input", width: features)
        let names = featureNames
        if uses.contains(.text) || (uses.contains(.unused) && names.count == features) {
            guard names.count == features, Set(names).count == features else {
                throw FlavorError("The scikit-learn model reads text columns but was not fitted with column names")
            }
            inputs = zip(names, uses).filter { $1 != .unused }.map {
                ModelBlueprint.Port(name: $0, type: $1 == .text ? .string : .double, shape: [nil, 1])
            }
            source = .columns(names, text: uses.map { $0 == .text })
        }
        builder.source = source
        var width = features
        for (index, step) in steps.enumerated() {
            guard let name = step.className, let fields = step.fields else {
                throw FlavorError("Pipeline step \(index) is not an estimator")
            }
            if let n = Self.featuresIn(fields), n != width {
                throw FlavorError(
                    "Pipeline step \(index) (\(name)) takes \(n) features, the step before gives \(width)")
            }
            let last = index == steps.count - 1
            if index > 0 { builder.source = .matrix(builder.current, width: width) }
            if Self.columnSteps.contains(name) {
                guard !last else { throw FlavorError("The pipeline ends in a transformer (\(name)), not a predictor") }
                builder.width = try builder.columns(step, indices: Array(0..<width), source: builder.source)
            } else if Self.transformers.contains(name) || Self.reshapingTransformers.contains(name) {
                guard !last else { throw FlavorError("The pipeline ends in a transformer (\(name)), not a predictor") }
                builder.current = try builder.numericColumns(Array(0..<width), of: builder.source, for: name)
                if Self.transformers.contains(name) {
                    try builder.transform(name, fields, width: width)
                } else {
                    builder.width = try builder.reshape(name, fields, width: width)
                }
            } else if Self.linearRegressors.contains(name) || Self.linearClassifiers.contains(name) {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.linear(name, fields, width: width, classifier: Self.linearClassifiers.contains(name))
            } else if Self.treeRegressors.contains(name) || Self.treeClassifiers.contains(name) {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.trees(name, fields, width: width, classifier: Self.treeClassifiers.contains(name))
            } else if name == Self.perceptronRegressor || name == Self.perceptronClassifier {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.perceptron(name, fields, width: width, classifier: name == Self.perceptronClassifier)
            } else if Self.kernelClassifiers.contains(name) || Self.kernelRegressors.contains(name) {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.supportVectors(
                    name, fields, width: width, classifier: Self.kernelClassifiers.contains(name))
            } else if name == Self.neighborsClassifier || name == Self.neighborsRegressor {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.neighbors(name, fields, width: width, classifier: name == Self.neighborsClassifier)
            } else if Self.naiveBayes.contains(name) {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.naiveBayes(name, fields, width: width)
            } else if name == Self.lightgbmRegressor || name == Self.lightgbmClassifier {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.lightgbm(name, fields, width: width, classifier: name == Self.lightgbmClassifier)
            } else if Self.boostingRegressors.contains(name) || Self.boostingClassifiers.contains(name) {
                guard last else { throw FlavorError("\(name) is not the last step of the pipeline") }
                try builder.boosting(name, fields, width: width, classifier: Self.boostingClassifiers.contains(name))
            } else {
                throw FlavorError("The scikit-learn estimator \(name) is not supported")
            }
            width = builder.width ?? width
        }
        guard let output = builder.output else { throw FlavorError("The scikit-learn model has no predictor") }
        return ModelBlueprint(
            inputs: inputs, outputs: [output], nodes: builder.nodes, opsets: ["": 13, "ai.onnx.ml": 5],
            producer: "kaizen-sklearn")
    }

    public func engine(method: Method = .predict) throws(FlavorError) -> ONNXModel {
        do { return try ONNXModel(blueprint: try blueprint(method: method)) } catch let error as FlavorError {
            throw error
        } catch {
            throw FlavorError("The scikit-learn model does not load on Kaizen's engine: \(error)")
        }
    }

    /// A pipeline's steps (`passthrough` and `None` left out), or the estimator alone.
    static func steps(_ value: Value) -> [Value] {
        guard value.className == "sklearn.pipeline.Pipeline", case .list(let steps)? = value.fields?["steps"] else {
            return [value]
        }
        return steps.compactMap { step in
            guard case .list(let pair) = step, pair.count == 2, case .object = pair[1] else { return nil }
            return pair[1]
        }
    }

    /// The number of columns an estimator was fitted on (`n_features_in_`; LightGBM keeps `_n_features_in`).
    static func featuresIn(_ fields: [String: Value]) -> Int? {
        (fields["n_features_in_"] ?? fields["_n_features_in"]).flatMap(integer)
    }

    static func integer(_ value: Value) -> Int? {
        if case .json(let json) = value, let number = json.int64Value { return Int(number) }
        if case .array(let array) = value, array.count == 1, case .integers(let items) = array.values {
            return Int(items[0])
        }
        return nil
    }

    /// Appends nodes, tracking the tensor flowing through the pipeline.
    struct Builder {
        var nodes: [ModelBlueprint.Node] = []
        var current = "input"
        var width: Int?
        var output: ModelBlueprint.Port?
        var counter = 0
        /// Whether the final estimator answers `predict_proba` rather than `predict`.
        var probabilities = false
        /// Where the step being built reads its columns.
        var source = Source.matrix("input", width: 0)

        mutating func fresh(_ stem: String) -> String {
            counter += 1
            return "\(stem)_\(counter)"
        }

        mutating func constant(_ tensor: Tensor, _ stem: String) -> String {
            let name = fresh(stem)
            nodes.append(
                ModelBlueprint.Node("Constant", inputs: [], outputs: [name], attributes: [("value", .tensor(tensor))]))
            return name
        }

        mutating func apply(
            _ op: String, _ inputs: [String], _ attributes: [(String, ModelBlueprint.Attribute)] = []
        )
            -> String
        {
            let name = fresh(op.lowercased())
            nodes.append(ModelBlueprint.Node(op, inputs: inputs, outputs: [name], attributes: attributes))
            current = name
            return name
        }

        /// A float64 vector attribute of `width` entries (an array, or a scalar repeated), nil when it is None.
        func vector(_ fields: [String: Value], _ key: String, width: Int) throws(FlavorError) -> Tensor? {
            guard let value = fields[key] else { return nil }
            switch value {
            case .json(.null): return nil
            case .json(let json):
                guard let number = json.doubleValue else { throw FlavorError("'\(key)' is \(json.messageText)") }
                return try Self.tensor(Tensor(shape: [width], doubles: Array(repeating: number, count: width)))
            case .array(let array):
                let values = array.count == 1 ? Array(repeating: array.doubles[0], count: width) : array.doubles
                guard values.count == width else {
                    throw FlavorError("'\(key)' has \(array.count) values for \(width) features")
                }
                return try Self.tensor(Tensor(shape: [width], doubles: values))
            default: throw FlavorError("'\(key)' is not an array")
            }
        }

        static func flag(_ fields: [String: Value], _ key: String, default value: Bool) -> Bool {
            if case .json(.bool(let flag))? = fields[key] { return flag }
            return value
        }

        /// Scalers, as scikit-learn computes them elementwise (`X -= mean_; X /= scale_`, ...).
        mutating func transform(_ name: String, _ fields: [String: Value], width: Int) throws(FlavorError) {
            switch name {
            case "sklearn.preprocessing._data.StandardScaler":
                if Self.flag(fields, "with_mean", default: true), let mean = try vector(fields, "mean_", width: width) {
                    _ = apply("Sub", [current, constant(mean, "mean")])
                }
                if Self.flag(fields, "with_std", default: true), let scale = try vector(fields, "scale_", width: width)
                {
                    _ = apply("Div", [current, constant(scale, "scale")])
                }
            case "sklearn.preprocessing._data.MinMaxScaler":
                guard !Self.flag(fields, "clip", default: false) else {
                    throw FlavorError("MinMaxScaler(clip=True) is not supported")
                }
                guard let scale = try vector(fields, "scale_", width: width),
                    let minimum = try vector(fields, "min_", width: width)
                else { throw FlavorError("MinMaxScaler has no scale_ or min_") }
                _ = apply("Mul", [current, constant(scale, "scale")])
                _ = apply("Add", [current, constant(minimum, "min")])
            case "sklearn.preprocessing._data.MaxAbsScaler":
                guard let scale = try vector(fields, "scale_", width: width) else {
                    throw FlavorError("MaxAbsScaler has no scale_")
                }
                _ = apply("Div", [current, constant(scale, "scale")])
            default:  // RobustScaler
                if Self.flag(fields, "with_centering", default: true),
                    let center = try vector(fields, "center_", width: width)
                {
                    _ = apply("Sub", [current, constant(center, "center")])
                }
                if Self.flag(fields, "with_scaling", default: true),
                    let scale = try vector(fields, "scale_", width: width)
                {
                    _ = apply("Div", [current, constant(scale, "scale")])
                }
            }
            self.width = width
        }

        /// `X @ coef_.T + intercept_`, then for classifiers `classes_` at the best score (`> 0` for two classes).
        mutating func linear(
            _ name: String, _ fields: [String: Value], width: Int, classifier: Bool
        ) throws(FlavorError) {
            guard case .array(let coef)? = fields["coef_"] else { throw FlavorError("\(name) has no coef_ array") }
            let vectorCoef = coef.shape.count == 1
            let targets = vectorCoef ? 1 : coef.shape[0]
            guard (vectorCoef && coef.shape[0] == width) || (coef.shape.count == 2 && coef.shape[1] == width) else {
                throw FlavorError("\(name).coef_ has shape \(coef.shape) for \(width) features")
            }
            // coef_ is [targets, features] (or [features]); the product needs [features, targets].
            try multiplyTransposed(coef.doubles, rows: targets, width: width, "coef")
            let intercept = try vector(fields, "intercept_", width: targets)
            if let intercept { _ = apply("Add", [current, constant(intercept, "intercept")]) }
            if !classifier {
                if vectorCoef {
                    let axes = try columnAxis()
                    _ = apply("Squeeze", [current, axes])
                    output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
                } else {
                    output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, targets])
                }
                rename()
                return
            }
            let classes = try Self.classes(fields, name: name)
            if targets == 1 {
                guard classes.count == 2 else {
                    throw FlavorError("\(name) has one score column for \(classes.count) classes")
                }
            } else {
                guard classes.count == targets else {
                    throw FlavorError("\(name) has \(targets) score columns for \(classes.count) classes")
                }
            }
            guard probabilities else {
                try label(classes, binary: targets == 1 ? "Greater" : nil)
                return
            }
            let logistic = name.hasPrefix("sklearn.linear_model._logistic.LogisticRegression")
            guard logistic || (name.hasSuffix("SGDClassifier") && fields["loss"]?.string == "log_loss")
            else { throw FlavorError("\(name) has no predict_proba (only logistic models do)") }
            try probabilityColumns(
                logistic ? .logistic(scale: 1) : .oneVsRest, columns: targets, classes: classes.count)
        }

        /// `classes_` at the best of the scores in `current` ([N, classes]); with one score column, the second class
        /// where `binary` (`Greater`, `GreaterOrEqual`) holds against `threshold`, the first elsewhere.
        mutating func label(_ classes: Tensor, binary: String?, threshold: Double = 0) throws(FlavorError) {
            let index: String
            if let binary {
                _ = apply(binary, [current, constant(Tensor(scalar: threshold), "threshold")])
                _ = apply("Cast", [current], [("to", .int(Int64(ElementType.int64.onnxDataType)))])
                let axes = try columnAxis()
                index = apply("Squeeze", [current, axes])
            } else {
                index = apply("ArgMax", [current], [("axis", .int(1)), ("keepdims", .int(0))])
            }
            _ = apply("Gather", [constant(classes, "classes"), index], [("axis", .int(0))])
            output = ModelBlueprint.Port(name: current, type: classes.elementType, shape: [nil])
            rename()
        }

        /// A tensor built from parts already checked; a failure is a malformed model, not a crash.
        static func tensor(_ make: @autoclosure () throws -> Tensor) throws(FlavorError) -> Tensor {
            do { return try make() } catch {
                throw FlavorError("The scikit-learn model's arrays are malformed: \(error)")
            }
        }

        /// Names the last node's output `prediction`.
        mutating func rename() {
            guard var port = output, var last = nodes.popLast() else { return }
            last.outputs = ["prediction"]
            nodes.append(last)
            port.name = "prediction"
            output = port
            current = "prediction"
        }

        /// `classes_` as a tensor: integers, floats or strings, as the model was fitted.
        static func classes(_ fields: [String: Value], name: String) throws(FlavorError) -> Tensor {
            switch fields["classes_"] {
            case .array(let array)?:
                switch array.values {
                case .integers(let items) where array.isBoolean:
                    return try tensor(Tensor(shape: [items.count], bools: items.map { $0 != 0 }))
                case .integers(let items): return try tensor(Tensor(shape: [items.count], int64s: items))
                case .doubles(let items): return try tensor(Tensor(shape: [items.count], doubles: items))
                case .strings(let items): return try tensor(Tensor(shape: [items.count], strings: items))
                case .records: throw FlavorError("\(name).classes_ is a structured array")
                }
            case .list(let items)?:
                let labels = items.compactMap { if case .json(.string(let label)) = $0 { label } else { nil } }
                guard labels.count == items.count, !labels.isEmpty else {
                    throw FlavorError("\(name).classes_ holds values that are not strings")
                }
                return try tensor(Tensor(shape: [labels.count], strings: labels))
            default: throw FlavorError("\(name) has no classes_")
            }
        }
    }
}
