import Foundation
import KaizenCore
import KaizenONNX

extension SklearnModel {
    static let perceptronRegressor = "sklearn.neural_network._multilayer_perceptron.MLPRegressor"
    static let perceptronClassifier = "sklearn.neural_network._multilayer_perceptron.MLPClassifier"
    static let naiveBayes: Set<String> = [
        "sklearn.naive_bayes.GaussianNB", "sklearn.naive_bayes.MultinomialNB", "sklearn.naive_bayes.BernoulliNB",
        "sklearn.naive_bayes.ComplementNB",
    ]
    /// What a fitted perceptron keeps beside its weights (its optimizer's state, unused by `predict`).
    static let networkParts: Set<String> = [
        "sklearn.neural_network._stochastic_optimizers.AdamOptimizer",
        "sklearn.neural_network._stochastic_optimizers.SGDOptimizer",
    ]

    static func matrix(_ value: Value?, _ what: String) throws(FlavorError) -> NPYArray {
        guard case .array(let array)? = value, array.shape.count == 2 else {
            throw FlavorError("\(what) is not a matrix")
        }
        return array
    }
}

extension SklearnModel.Builder {
    /// expit as scipy computes it, `1 / (1 + exp(-x))`, on `current` (times `scale`).
    mutating func expit(scale: Double = 1) {
        if scale != 1 { _ = apply("Mul", [current, constant(Tensor(scalar: scale), "scale")]) }
        let one = constant(Tensor(scalar: 1), "one")
        _ = apply("Neg", [current])
        _ = apply("Exp", [current])
        _ = apply("Add", [current, one])
        _ = apply("Div", [one, current])
    }

    /// `[1 - p, p]` from the [N, 1] probabilities `p` of the second class, as scikit-learn stacks them.
    mutating func complementPair() {
        let positive = current
        let negative = apply("Sub", [constant(Tensor(scalar: 1), "one"), positive])
        _ = apply("Concat", [negative, positive], [("axis", .int(1))])
    }

    /// `current @ weights + bias` for a [inputs, outputs] weight matrix as scikit-learn stores it.
    mutating func affine(_ weights: NPYArray, _ bias: Tensor?) throws(FlavorError) {
        let matrix = try Self.tensor(Tensor(shape: weights.shape, doubles: weights.doubles))
        _ = apply("MatMul", [current, constant(matrix, "weights")])
        if let bias { _ = apply("Add", [current, constant(bias, "bias")]) }
    }

    /// A multi-layer perceptron's forward pass (`_forward_pass_fast`): each layer `X @ coefs_[i] + intercepts_[i]`,
    /// the hidden activation between layers, the output activation last; classifiers threshold a logistic output at
    /// 0.5 (LabelBinarizer) or take the largest softmax output.
    mutating func perceptron(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int, classifier: Bool
    ) throws(FlavorError) {
        guard case .list(let coefs)? = fields["coefs_"], case .list(let intercepts)? = fields["intercepts_"],
            coefs.count == intercepts.count, !coefs.isEmpty
        else { throw FlavorError("\(name) has no coefs_ and intercepts_") }
        let hidden = fields["activation"]?.string ?? "relu"
        var inputs = width
        for (layer, (coef, intercept)) in zip(coefs, intercepts).enumerated() {
            let weights = try SklearnModel.matrix(coef, "\(name).coefs_[\(layer)]")
            guard weights.shape[0] == inputs else {
                throw FlavorError(
                    "\(name) layer \(layer) takes \(weights.shape[0]) inputs, the layer before gives \(inputs)")
            }
            inputs = weights.shape[1]
            guard case .array(let bias) = intercept, bias.doubles.count == inputs else {
                throw FlavorError("\(name).intercepts_[\(layer)] does not hold \(inputs) values")
            }
            try affine(weights, try Self.tensor(Tensor(shape: [inputs], doubles: bias.doubles)))
            if layer < coefs.count - 1 { try activate(hidden, name: name) }
        }
        let outputs = inputs
        let last = fields["out_activation_"]?.string ?? (classifier ? "softmax" : "identity")
        guard classifier else {
            guard last == "identity" else { throw FlavorError("\(name) ends in '\(last)'") }
            guard !probabilities else { throw FlavorError("\(name) is a regressor; it has no predict_proba") }
            if outputs == 1 {
                _ = apply("Squeeze", [current, try columnAxis()])
                output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
            } else {
                output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, outputs])
            }
            rename()
            return
        }
        let classes = try Self.classes(fields, name: name)
        if last == "logistic" && outputs == 1 && classes.shape[0] == 2 {
            expit()
            if probabilities {
                complementPair()
                output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, 2])
                rename()
            } else {
                try label(classes, binary: "Greater", threshold: 0.5)
            }
            return
        }
        guard last == "softmax", Int(classes.shape[0]) == outputs else {
            throw FlavorError("\(name) ends in '\(last)' over \(outputs) outputs for \(classes.shape[0]) classes")
        }
        _ = apply("Softmax", [current], [("axis", .int(1))])
        if probabilities {
            output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, outputs])
            rename()
        } else {
            try label(classes, binary: nil)
        }
    }

    mutating func activate(_ activation: String, name: String) throws(FlavorError) {
        switch activation {
        case "identity": break
        case "relu": _ = apply("Relu", [current])
        case "tanh": _ = apply("Tanh", [current])
        case "logistic": expit()
        default: throw FlavorError("\(name) uses the activation '\(activation)', which Kaizen does not compute")
        }
    }

    /// Naive Bayes: the joint log-likelihood per class as scikit-learn's `_joint_log_likelihood` computes it, then
    /// `classes_` at the largest, or `exp(jll - logsumexp(jll))` for `predict_proba`.
    mutating func naiveBayes(_ name: String, _ fields: [String: SklearnModel.Value], width: Int) throws(FlavorError) {
        let classes = try Self.classes(fields, name: name)
        let count = Int(classes.shape[0])
        if name.hasSuffix("GaussianNB") {
            try gaussianLikelihood(fields, width: width, classes: count)
        } else {
            let logProbabilities = try SklearnModel.matrix(fields["feature_log_prob_"], "\(name).feature_log_prob_")
            guard logProbabilities.shape == [count, width],
                let prior = try numbers(fields, "class_log_prior_", width: count)
            else { throw FlavorError("\(name) has no feature_log_prob_ or class_log_prior_ for \(count) classes") }
            var weights = logProbabilities.doubles
            var offset = prior
            if name.hasSuffix("BernoulliNB") {
                if case .json(let threshold)? = fields["binarize"], let value = threshold.doubleValue {
                    _ = apply("Greater", [current, constant(Tensor(scalar: value), "threshold")])
                    _ = apply("Cast", [current], [("to", .int(Int64(ElementType.double.onnxDataType)))])
                }
                // neg_prob = log(1 - exp(feature_log_prob_)); X @ (flp - neg_prob).T + prior + neg_prob.sum(1)
                let negative = weights.map { Foundation.log(1 - Foundation.exp($0)) }
                weights = zip(weights, negative).map { $0 - $1 }
                for k in 0..<count {
                    offset[k] += negative[(k * width)..<((k + 1) * width)].reduce(0, +)
                }
            }
            try multiplyTransposed(weights, rows: count, width: width, "log_prob")
            // ComplementNB adds its prior only when it has a single class.
            if !name.hasSuffix("ComplementNB") || count == 1 {
                _ = apply(
                    "Add", [current, constant(try Self.tensor(Tensor(shape: [count], doubles: offset)), "prior")])
            }
        }
        guard probabilities else {
            try label(classes, binary: nil)
            return
        }
        // logsumexp: max + log(sum(exp(jll - max))), then exp(jll - logsumexp).
        let likelihood = current
        let axes = try columnAxis()
        let peak = apply("ReduceMax", [likelihood], [("axes", .ints([1])), ("keepdims", .int(1))])
        _ = apply("Sub", [likelihood, peak])
        _ = apply("Exp", [current])
        _ = apply("ReduceSum", [current, axes], [("keepdims", .int(1))])
        _ = apply("Log", [current])
        let total = apply("Add", [current, peak])
        _ = apply("Sub", [likelihood, total])
        _ = apply("Exp", [current])
        output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, count])
        rename()
    }

    /// GaussianNB: `log(prior) + (-0.5 * sum(log(2 pi var)) - 0.5 * sum((x - theta)^2 / var))` per class.
    mutating func gaussianLikelihood(
        _ fields: [String: SklearnModel.Value], width: Int, classes: Int
    )
        throws(FlavorError)
    {
        let theta = try SklearnModel.matrix(fields["theta_"], "GaussianNB.theta_")
        let variance = try SklearnModel.matrix(fields["var_"], "GaussianNB.var_")
        guard theta.shape == [classes, width], variance.shape == [classes, width],
            let prior = try numbers(fields, "class_prior_", width: classes)
        else { throw FlavorError("GaussianNB has no theta_, var_ or class_prior_ for \(classes) classes") }
        let constants = (0..<classes).map { k in
            -0.5
                * variance.doubles[(k * width)..<((k + 1) * width)].map { Foundation.log(2 * Double.pi * $0) }
                .reduce(0, +)
        }
        let means = try Self.tensor(Tensor(shape: [classes, width], doubles: theta.doubles))
        let variances = try Self.tensor(Tensor(shape: [classes, width], doubles: variance.doubles))
        try squaredDistances(to: means, dividedBy: variances, "theta")
        _ = apply("Mul", [current, constant(Tensor(scalar: 0.5), "half")])
        let normal = try Self.tensor(Tensor(shape: [classes], doubles: constants))
        _ = apply("Sub", [constant(normal, "normal"), current])
        let logPrior = try Self.tensor(Tensor(shape: [classes], doubles: prior.map { Foundation.log($0) }))
        _ = apply("Add", [constant(logPrior, "log_prior"), current])
    }
}
