import Foundation
import KaizenCore
import KaizenONNX

extension SklearnModel {
    static let gradientBoosting = "sklearn.ensemble._gb.GradientBoosting"
    static let histGradientBoosting =
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoosting"
    static let treePredictor = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
    static let boostingRegressors: Set<String> = [gradientBoosting + "Regressor", histGradientBoosting + "Regressor"]
    static let boostingClassifiers: Set<String> = [
        gradientBoosting + "Classifier", histGradientBoosting + "Classifier",
    ]
    /// What boosting models keep beside their trees: the initial estimator, the loss and its link, the binning.
    static let boostingParts: Set<String> = [
        "sklearn.dummy.DummyClassifier", "sklearn.dummy.DummyRegressor", "sklearn._loss.link.Interval",
        "sklearn._loss.link.IdentityLink", "sklearn._loss.link.LogLink", "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.HalfLogitLink", "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.loss.HalfSquaredError", "sklearn._loss.loss.AbsoluteError", "sklearn._loss.loss.PinballLoss",
        "sklearn._loss.loss.HuberLoss", "sklearn._loss.loss.HalfPoissonLoss", "sklearn._loss.loss.HalfGammaLoss",
        "sklearn._loss.loss.HalfTweedieLoss", "sklearn._loss.loss.HalfTweedieLossIdentity",
        "sklearn._loss.loss.HalfBinomialLoss", "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn._loss.loss.ExponentialLoss",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper", "sklearn.preprocessing._label.LabelEncoder",
        treePredictor,
    ]

    /// `init_`'s raw prediction per score column, as `_init_raw_predictions` gives it: 0 for `init='zero'`, a
    /// `DummyRegressor`'s constant, or the link of a `DummyClassifier`'s class priors (clipped to float32's epsilon).
    static func initialScores(_ fields: [String: Value], name: String, columns: Int) throws(FlavorError) -> [Double] {
        switch fields["init_"] {
        case .json(.string("zero"))?: return Array(repeating: 0, count: columns)
        case .object("sklearn.dummy.DummyRegressor", let dummy)?:
            guard case .array(let constant)? = dummy["constant_"], constant.doubles.count == columns else {
                throw FlavorError("\(name).init_ has no constant_ for \(columns) outputs")
            }
            return constant.doubles
        case .object("sklearn.dummy.DummyClassifier", let dummy)?:
            guard case .json(.string("prior"))? = dummy["_strategy"] ?? dummy["strategy"],
                case .array(let prior)? = dummy["class_prior_"]
            else { throw FlavorError("\(name).init_ is a DummyClassifier without strategy 'prior'") }
            let epsilon = Double(Float.ulpOfOne)
            let p = prior.doubles.map { min(max($0, epsilon), 1 - epsilon) }
            let link = fields["_loss"]?.fields?["link"]?.className ?? ""
            if columns == 1 {
                guard p.count == 2 else { throw FlavorError("\(name).init_ has \(p.count) priors for two classes") }
                let logit = Foundation.log(p[1] / (1 - p[1]))
                return [link.hasSuffix("HalfLogitLink") ? 0.5 * logit : logit]
            }
            guard p.count == columns else {
                throw FlavorError("\(name).init_ has \(p.count) priors for \(columns) classes")
            }
            // The symmetric multinomial logit: log(p / geometric mean of p).
            let logs = p.map { Foundation.log($0) }
            let mean = Foundation.exp(logs.reduce(0, +) / Double(columns))
            return p.map { Foundation.log($0 / mean) }
        case nil: throw FlavorError("\(name) has no init_")
        default: throw FlavorError("\(name) starts from an init estimator Kaizen does not compute")
        }
    }
}

extension SklearnModel {
    /// Per feature of a histogram gradient boosting model, the categories it saw when fitting (nil for a numeric
    /// feature), from its bin mapper.
    static func knownCategories(_ fields: [String: Value], name: String, width: Int) throws(FlavorError) -> [[Double]?]
    {
        guard let mapper = fields["_bin_mapper"]?.fields, case .array(let flags)? = mapper["is_categorical_"] else {
            return Array(repeating: nil, count: width)
        }
        guard flags.count == width, case .list(let thresholds)? = mapper["bin_thresholds_"], thresholds.count == width
        else { throw FlavorError("\(name)'s bin mapper does not describe its \(width) features") }
        return try zip(flags.doubles, thresholds).map { flag, value throws(FlavorError) in
            guard flag != 0 else { return nil }
            guard case .array(let categories) = value, categories.count <= 256 else {
                throw FlavorError("\(name)'s bin mapper lists no categories for a categorical feature")
            }
            return categories.doubles
        }
    }
}

extension SklearnModel.FittedTree {
    /// A tree of one leaf holding `value`.
    init(constant value: Double) {
        left = [-1]
        right = [-1]
        feature = [0]
        threshold = [0]
        missingLeft = [false]
        values = [[value]]
    }
}

extension SklearnModel.Builder {
    /// Gradient boosting as scikit-learn predicts: the initial scores, then each stage's trees scaled by the
    /// learning rate, added in order (features rounded to float32 for `GradientBoosting*`, whose trees are
    /// scikit-learn trees; raw float64 thresholds and NaN directions for `HistGradientBoosting*`). Regressors answer
    /// the loss's inverse link of the score; classifiers `classes_` at the best score (`>= 0` or `> 0` for two).
    mutating func boosting(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int, classifier: Bool
    ) throws(FlavorError) {
        let histogram = name.hasPrefix(SklearnModel.histGradientBoosting)
        let columns = fields["n_trees_per_iteration_"].flatMap(SklearnModel.integer) ?? 1
        guard (1...100_000).contains(columns) else { throw FlavorError("\(name) has \(columns) trees per iteration") }
        var parts: [TreePart] = []
        if histogram {
            guard case .array(let baseline)? = fields["_baseline_prediction"], baseline.doubles.count == columns,
                case .list(let iterations)? = fields["_predictors"]
            else { throw FlavorError("\(name) has no _baseline_prediction or _predictors") }
            // Category columns go through the model's own encoder (an `OrdinalEncoder` in a `ColumnTransformer`
            // that puts them first), then are read as whole numbers.
            if let preprocessor = fields["_preprocessor"], preprocessor.className != nil {
                guard try self.columns(preprocessor, indices: Array(0..<width), source: source) == width else {
                    throw FlavorError("\(name)'s category encoder does not keep its \(width) columns")
                }
            } else {
                current = try numericColumns(Array(0..<width), of: source, for: name)
            }
            let known = try SklearnModel.knownCategories(fields, name: name, width: width)
            try roundCategories(known.map { $0 != nil }, truncate: false)
            for (k, value) in baseline.doubles.enumerated() {
                let tree = SklearnModel.FittedTree(constant: value)
                parts.append(TreePart(tree: tree, target: k, leaves: [value]))
            }
            for (index, iteration) in iterations.enumerated() {
                guard case .list(let predictors) = iteration, predictors.count == columns else {
                    throw FlavorError("\(name) iteration \(index) does not hold \(columns) trees")
                }
                for (k, predictor) in predictors.enumerated() {
                    let tree = try SklearnModel.FittedTree(
                        predictor: predictor, features: width, index: index, known: known)
                    parts.append(TreePart(tree: tree, target: k, leaves: tree.values.map { $0[0] }))
                }
            }
        } else {
            guard case .json(let rate)? = fields["learning_rate"], let learningRate = rate.doubleValue,
                case .list(let stages)? = fields["estimators_"], !stages.isEmpty
            else { throw FlavorError("\(name) has no learning_rate or fitted estimators_") }
            let initial = try SklearnModel.initialScores(fields, name: name, columns: columns)
            for (k, value) in initial.enumerated() {
                parts.append(TreePart(tree: SklearnModel.FittedTree(constant: value), target: k, leaves: [value]))
            }
            for (index, stage) in stages.enumerated() {
                guard case .list(let trees) = stage, trees.count == columns else {
                    throw FlavorError("\(name) stage \(index) does not hold \(columns) trees")
                }
                for (k, estimator) in trees.enumerated() {
                    guard let fitted = estimator.fields?["tree_"] else {
                        throw FlavorError("\(name) stage \(index) is not fitted")
                    }
                    let tree = try SklearnModel.FittedTree(fitted, features: width, index: index)
                    parts.append(TreePart(tree: tree, target: k, leaves: tree.values.map { learningRate * $0[0] }))
                }
            }
            _ = apply("Cast", [current], [("to", .int(Int64(ElementType.float.onnxDataType)))])
            _ = apply("Cast", [current], [("to", .int(Int64(ElementType.double.onnxDataType)))])
        }
        nodes.append(try ensemble(parts, targets: columns, input: current))
        current = nodes.last?.outputs[0] ?? current
        if classifier {
            let classes = try Self.classes(fields, name: name)
            guard Int(classes.shape[0]) == (columns == 1 ? 2 : columns) else {
                throw FlavorError("\(name) has \(columns) score columns for \(classes.shape[0]) classes")
            }
            guard probabilities else {
                try label(classes, binary: columns == 1 ? (histogram ? "Greater" : "GreaterOrEqual") : nil)
                return
            }
            let half = fields["_loss"]?.fields?["link"]?.className == "sklearn._loss.link.HalfLogitLink"
            try probabilityColumns(.logistic(scale: half ? 2 : 1), columns: columns, classes: Int(classes.shape[0]))
            return
        }
        guard !probabilities else { throw FlavorError("\(name) is a regressor; it has no predict_proba") }
        guard columns == 1 else { throw FlavorError("\(name) has \(columns) outputs; one was expected") }
        let axes = try columnAxis()
        _ = apply("Squeeze", [current, axes])
        switch fields["_loss"]?.fields?["link"]?.className {
        case "sklearn._loss.link.LogLink"?: _ = apply("Exp", [current])
        case "sklearn._loss.link.IdentityLink"?, nil: break
        case let link?: throw FlavorError("\(name)'s loss uses \(link), which Kaizen does not compute")
        }
        output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
        rename()
    }
}

extension SklearnModel.Builder {
    /// How a classifier's scores become `predict_proba`'s columns.
    enum ScoreLink {
        /// expit (of twice the score for `HalfLogitLink`); one score column gives `[1 - p, p]`.
        case logistic(scale: Double)
        /// expit per column, each row normalised to sum 1 (one-vs-rest).
        case oneVsRest
        /// The scores are the probabilities already.
        case identity
    }

    /// `predict_proba` from the scores in `current` ([N, columns]), with scikit-learn's formulas: expit as
    /// `1 / (1 + exp(-x))`, the first class as `1 - p`, softmax for several columns of a logistic link.
    mutating func probabilityColumns(_ link: ScoreLink, columns: Int, classes: Int) throws(FlavorError) {
        try scoreProbabilities(link, columns: columns)
        output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, classes])
        rename()
    }

    /// Appends the nodes turning scores into probabilities (none for `.identity`).
    private mutating func scoreProbabilities(_ link: ScoreLink, columns: Int) throws(FlavorError) {
        if case .identity = link { return }
        if columns == 1 {
            if case .logistic(let scale) = link { expit(scale: scale) } else { expit() }
            complementPair()
        } else if case .logistic = link {
            _ = apply("Softmax", [current], [("axis", .int(1))])
        } else {
            expit()
            let scores = current
            let axes = try columnAxis()
            let total = apply("ReduceSum", [scores, axes], [("keepdims", .int(1))])
            _ = apply("Div", [scores, total])
        }
    }
}
