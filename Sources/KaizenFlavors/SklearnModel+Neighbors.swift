import Foundation
import KaizenCore
import KaizenONNX

extension SklearnModel {
    static let neighborsClassifier = "sklearn.neighbors._classification.KNeighborsClassifier"
    static let neighborsRegressor = "sklearn.neighbors._regression.KNeighborsRegressor"
    /// The search structures a fitted k-NN model keeps (Kaizen searches the fitted rows directly) and their metrics.
    static let neighborsParts: Set<String> = [
        "sklearn.neighbors._kd_tree.KDTree", "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.metrics._dist_metrics.EuclideanDistance64",
    ]
}

extension SklearnModel.Builder {
    /// k nearest neighbours by Euclidean distance (the squared differences summed feature by feature, as the KD and
    /// ball trees compute them), uniformly weighted: classifiers take the most frequent class among the k (the
    /// smallest on a tie), regressors the mean of their targets.
    mutating func neighbors(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int, classifier: Bool
    ) throws(FlavorError) {
        guard fields["weights"]?.string ?? "uniform" == "uniform" else {
            throw FlavorError("\(name)(weights='\(fields["weights"]?.string ?? "?")') is not supported; use 'uniform'")
        }
        guard fields["effective_metric_"]?.string == "euclidean" else {
            throw FlavorError(
                "\(name) measures '\(fields["effective_metric_"]?.string ?? "?")'; Kaizen computes euclidean")
        }
        guard !Self.flag(fields, "outputs_2d_", default: false) else {
            throw FlavorError("\(name) was fitted on several outputs, which Kaizen does not serve")
        }
        let rows = try SklearnModel.matrix(fields["_fit_X"], "\(name)._fit_X")
        guard rows.shape[1] == width, case .array(let targets)? = fields["_y"], targets.doubles.count == rows.shape[0],
            let k = fields["n_neighbors"].flatMap(SklearnModel.integer), k >= 1, k <= rows.shape[0]
        else { throw FlavorError("\(name) has no fitted rows, targets or n_neighbors for \(width) features") }
        let table = try Self.tensor(Tensor(shape: rows.shape, doubles: rows.doubles))
        try squaredDistances(to: table, "fit_X")
        let count = constant(try Self.tensor(Tensor(shape: [1], int64s: [Int64(k)])), "k")
        let topK = fresh("topk")
        let nearest = fresh("nearest")
        nodes.append(
            ModelBlueprint.Node(
                "TopK", inputs: [current, count], outputs: [topK, nearest],
                attributes: [("axis", .int(1)), ("largest", .int(0))]))
        guard classifier else {
            guard !probabilities else { throw FlavorError("\(name) is a regressor; it has no predict_proba") }
            let values = try Self.tensor(Tensor(shape: [targets.doubles.count], doubles: targets.doubles))
            _ = apply("Gather", [constant(values, "y"), nearest], [("axis", .int(0))])
            _ = apply("ReduceMean", [current], [("axes", .ints([1])), ("keepdims", .int(0))])
            output = ModelBlueprint.Port(name: current, type: .double, shape: [nil])
            rename()
            return
        }
        let classes = try Self.classes(fields, name: name)
        let classCount = Int(classes.shape[0])
        guard targets.doubles.allSatisfy({ $0 >= 0 && $0 < Double(classCount) && $0 == $0.rounded() }) else {
            throw FlavorError("\(name)._y holds class indices outside 0..<\(classCount)")
        }
        // Votes: one-hot rows of the neighbours' classes, summed over the k neighbours.
        var oneHot = [Double](repeating: 0, count: targets.doubles.count * classCount)
        for (row, target) in targets.doubles.enumerated() { oneHot[row * classCount + Int(target)] = 1 }
        let votes = try Self.tensor(Tensor(shape: [targets.doubles.count, classCount], doubles: oneHot))
        _ = apply("Gather", [constant(votes, "votes"), nearest], [("axis", .int(0))])
        _ = apply("ReduceSum", [current, try columnAxis()], [("keepdims", .int(0))])
        if probabilities {
            _ = apply("Div", [current, constant(Tensor(scalar: Double(k)), "k")])
            output = ModelBlueprint.Port(name: current, type: .double, shape: [nil, classCount])
            rename()
        } else {
            try label(classes, binary: nil)
        }
    }
}
