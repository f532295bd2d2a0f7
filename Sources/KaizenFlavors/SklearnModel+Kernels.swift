import Foundation
import KaizenCore
import KaizenONNX

extension SklearnModel {
    /// Support vector machines with kernels (libsvm's models): classifiers vote over every pair of classes.
    static let kernelClassifiers: Set<String> = ["sklearn.svm._classes.SVC", "sklearn.svm._classes.NuSVC"]
    static let kernelRegressors: Set<String> = ["sklearn.svm._classes.SVR", "sklearn.svm._classes.NuSVR"]
}

extension SklearnModel.Builder {
    /// libsvm's `svm_predict`: the kernel between the row and every support vector (RBF as `exp(-gamma * |x - v|^2)`
    /// summed feature by feature, polynomial, sigmoid, linear), then for a regressor `sum(coef * k) + intercept`;
    /// for a classifier each pair `(i, j)` of classes votes for `i` when its decision value is positive, and the
    /// first class with the most votes wins.
    mutating func supportVectors(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int, classifier: Bool
    ) throws(FlavorError) {
        guard !Self.flag(fields, "_sparse", default: false) else {
            throw FlavorError("\(name) was fitted on a sparse matrix, which Kaizen does not serve")
        }
        let vectors = try SklearnModel.matrix(fields["support_vectors_"], "\(name).support_vectors_")
        let coefficients = try SklearnModel.matrix(fields["_dual_coef_"], "\(name)._dual_coef_")
        let count = vectors.shape[0]
        guard vectors.shape[1] == width, coefficients.shape[1] == count, count > 0,
            case .array(let intercepts)? = fields["_intercept_"]
        else {
            throw FlavorError("\(name) has no support vectors, dual coefficients or intercepts for \(width) features")
        }
        try kernel(fields, vectors: vectors, name: name)
        let kernelValues = current
        guard classifier else {
            guard coefficients.shape[0] == 1, intercepts.doubles.count == 1 else {
                throw FlavorError("\(name) has \(coefficients.shape[0]) rows of dual coefficients")
            }
            let weights = try Self.tensor(Tensor(shape: [count, 1], doubles: coefficients.doubles))
            _ = apply("MatMul", [kernelValues, constant(weights, "dual_coef")])
            _ = apply("Add", [current, constant(Tensor(scalar: intercepts.doubles[0]), "intercept")])
            _ = apply("Squeeze", [current, try columnAxis()])
            guard !probabilities else { throw FlavorError("\(name) is a regressor; it has no predict_proba") }
            output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
            rename()
            return
        }
        guard !probabilities else {
            throw FlavorError("\(name)'s predict_proba (Platt scaling) is not supported; serve predict")
        }
        guard !Self.flag(fields, "break_ties", default: false) else {
            throw FlavorError("\(name)(break_ties=True) is not supported")
        }
        let classes = try Self.classes(fields, name: name)
        let classCount = Int(classes.shape[0])
        guard case .array(let support)? = fields["_n_support"] ?? fields["n_support_"],
            support.doubles.count == classCount, coefficients.shape[0] == classCount - 1,
            support.doubles.allSatisfy({ $0 >= 0 && $0 <= Double(count) && $0 == $0.rounded() }),
            Int(support.doubles.reduce(0, +)) == count
        else { throw FlavorError("\(name)'s support counts do not match its \(count) vectors") }
        let pairs = classCount * (classCount - 1) / 2
        guard intercepts.doubles.count == pairs else {
            throw FlavorError("\(name) has \(intercepts.doubles.count) intercepts for \(pairs) pairs of classes")
        }
        var start = [0]
        for n in support.doubles.dropLast() { start.append(start[start.count - 1] + Int(n)) }
        // Decision value of pair p = (i, j): vectors of class i weighted by coef[j - 1], of class j by coef[i].
        var weights = [Double](repeating: 0, count: count * pairs)
        var towardFirst = [Double](repeating: 0, count: pairs * classCount)
        var towardSecond = [Double](repeating: 0, count: pairs * classCount)
        var p = 0
        let coef = coefficients.doubles
        for i in 0..<classCount {
            for j in (i + 1)..<classCount {
                for k in start[i]..<(start[i] + Int(support.doubles[i])) {
                    weights[k * pairs + p] = coef[(j - 1) * count + k]
                }
                for k in start[j]..<(start[j] + Int(support.doubles[j])) {
                    weights[k * pairs + p] = coef[i * count + k]
                }
                towardFirst[p * classCount + i] = 1
                towardSecond[p * classCount + j] = 1
                p += 1
            }
        }
        let matrix = try Self.tensor(Tensor(shape: [count, pairs], doubles: weights))
        _ = apply("MatMul", [kernelValues, constant(matrix, "dual_coef")])
        _ = apply(
            "Add", [current, constant(try Self.tensor(Tensor(shape: [pairs], doubles: intercepts.doubles)), "rho")])
        // votes = positive @ first + (1 - positive) @ second = positive @ (first - second) + column sums of second.
        _ = apply("Greater", [current, constant(Tensor(scalar: 0), "zero")])
        _ = apply("Cast", [current], [("to", .int(Int64(ElementType.double.onnxDataType)))])
        let difference = zip(towardFirst, towardSecond).map { $0 - $1 }
        let ballot = try Self.tensor(Tensor(shape: [pairs, classCount], doubles: difference))
        _ = apply("MatMul", [current, constant(ballot, "ballot")])
        let base = (0..<classCount).map { c in (0..<pairs).reduce(0.0) { $0 + towardSecond[$1 * classCount + c] } }
        _ = apply("Add", [current, constant(try Self.tensor(Tensor(shape: [classCount], doubles: base)), "votes")])
        try label(classes, binary: nil)
    }

    /// The kernel between each row of `current` and each support vector: [N, vectors].
    mutating func kernel(_ fields: [String: SklearnModel.Value], vectors: NPYArray, name: String) throws(FlavorError) {
        let kind = fields["kernel"]?.string ?? "rbf"
        let gamma: Double
        switch fields["_gamma"] {
        case .array(let array)? where array.doubles.count == 1: gamma = array.doubles[0]
        case .json(let value)? where value.doubleValue != nil: gamma = value.doubleValue ?? 0
        default: throw FlavorError("\(name) has no fitted _gamma")
        }
        let coef0 = fields["coef0"].flatMap { if case .json(let v) = $0 { v.doubleValue } else { nil } } ?? 0
        let degree = fields["degree"].flatMap(SklearnModel.integer) ?? 3
        let (count, width) = (vectors.shape[0], vectors.shape[1])
        if kind == "rbf" {
            let table = try Self.tensor(Tensor(shape: [count, width], doubles: vectors.doubles))
            try squaredDistances(to: table, "support_vectors")
            _ = apply("Mul", [current, constant(Tensor(scalar: -gamma), "gamma")])
            _ = apply("Exp", [current])
            return
        }
        try multiplyTransposed(vectors.doubles, rows: count, width: width, "support_vectors")
        switch kind {
        case "linear": break
        case "poly", "sigmoid":
            _ = apply("Mul", [current, constant(Tensor(scalar: gamma), "gamma")])
            _ = apply("Add", [current, constant(Tensor(scalar: coef0), "coef0")])
            if kind == "sigmoid" {
                _ = apply("Tanh", [current])
            } else {
                _ = apply("Pow", [current, constant(Tensor(scalar: Double(degree)), "degree")])
            }
        default: throw FlavorError("\(name) uses the kernel '\(kind)', which Kaizen does not compute")
        }
    }
}
