import Foundation
import KaizenCore
import KaizenONNX

extension SklearnModel {
    /// Transformers beside the scalers: each keeps the row count and may change the width.
    static let reshapingTransformers: Set<String> = [
        "sklearn.preprocessing._data.Normalizer", "sklearn.impute._base.SimpleImputer",
        "sklearn.decomposition._pca.PCA", "sklearn.preprocessing._polynomial.PolynomialFeatures",
    ]

    /// The exponents of each output column of a fitted `PolynomialFeatures`, as its `powers_` lists them: the bias
    /// (when included), then every combination of `degree` features for each degree from `max(1, _min_degree)`, in
    /// `itertools` order (with repetition unless `interaction_only`); nil when there would be more than `limit`.
    static func polynomialTerms(
        features: Int, minimum: Int, maximum: Int, interactionOnly: Bool, bias: Bool, limit: Int = 100_000
    )
        -> [[Int]]?
    {
        var terms: [[Int]] = bias ? [[]] : []
        func extend(_ prefix: [Int], from start: Int, remaining: Int) {
            guard remaining > 0 else {
                terms.append(prefix)
                return
            }
            guard start < features, terms.count <= limit else { return }
            for feature in start..<features {
                extend(prefix + [feature], from: interactionOnly ? feature + 1 : feature, remaining: remaining - 1)
            }
        }
        if maximum >= 1 {
            for degree in max(1, minimum)...maximum { extend([], from: 0, remaining: degree) }
        }
        return terms.count <= limit ? terms : nil
    }
}

extension SklearnModel.Builder {
    /// `vector`'s values.
    func numbers(_ fields: [String: SklearnModel.Value], _ key: String, width: Int) throws(FlavorError) -> [Double]? {
        try vector(fields, key, width: width)?.doubles
    }

    /// `current @ matrix.T` for a row-major [rows, width] matrix (scikit-learn's `X @ coef_.T`): [N, rows].
    mutating func multiplyTransposed(_ values: [Double], rows: Int, width: Int, _ stem: String) throws(FlavorError) {
        var transposed = [Double](repeating: 0, count: rows * width)
        for row in 0..<rows {
            for f in 0..<width { transposed[f * rows + row] = values[row * width + f] }
        }
        let matrix = try Self.tensor(Tensor(shape: [width, rows], doubles: transposed))
        _ = apply("MatMul", [current, constant(matrix, stem)])
    }

    /// For each row of `current` and each row of `table` ([rows, width]), the sum over features of the squared
    /// differences, each divided by `scale`'s entry when given, summed feature by feature: [N, rows].
    mutating func squaredDistances(
        to table: Tensor, dividedBy scale: Tensor? = nil, _ stem: String
    )
        throws(FlavorError)
    {
        _ = apply("Unsqueeze", [current, try columnAxis()])
        let difference = apply("Sub", [current, constant(table, stem)])
        _ = apply("Mul", [difference, difference])
        if let scale { _ = apply("Div", [current, constant(scale, "scale")]) }
        let features = constant(try Self.tensor(Tensor(shape: [1], int64s: [2])), "features")
        _ = apply("ReduceSum", [current, features], [("keepdims", .int(0))])
    }

    /// The axis-1 vector `[1]` the reductions take.
    /// Makes `current` the matrices `parts` ([N, *] each) side by side: one `Concat` on the column axis, none for a
    /// single part.
    mutating func sideBySide(_ parts: [String]) {
        if parts.count > 1 {
            _ = apply("Concat", parts, [("axis", .int(1))])
        } else if let only = parts.first {
            current = only
        }
    }

    mutating func columnAxis() throws(FlavorError) -> String {
        constant(try Self.tensor(Tensor(shape: [1], int64s: [1])), "axes")
    }

    /// `Normalizer`, `SimpleImputer`, `PCA` and `PolynomialFeatures` as scikit-learn's `transform` computes them;
    /// answers the width after the step.
    mutating func reshape(
        _ name: String, _ fields: [String: SklearnModel.Value], width: Int
    ) throws(FlavorError)
        -> Int
    {
        switch name {
        case "sklearn.preprocessing._data.Normalizer":
            try normalize(fields["norm"]?.string ?? "l2")
            return width
        case "sklearn.impute._base.SimpleImputer":
            try impute(fields, width: width)
            return width
        case "sklearn.decomposition._pca.PCA":
            return try project(fields, width: width)
        default:
            return try polynomial(fields, width: width)
        }
    }

    /// Each row divided by its norm (`l2`: the square root of the sum of squares; `l1`: the sum of absolute
    /// values; `max`: the largest absolute value), a zero norm left as 1.
    mutating func normalize(_ norm: String) throws(FlavorError) {
        let input = current
        let axes = try columnAxis()
        switch norm {
        case "l2":
            _ = apply("Mul", [input, input])
            _ = apply("ReduceSum", [current, axes], [("keepdims", .int(1))])
            _ = apply("Sqrt", [current])
        case "l1":
            _ = apply("Abs", [input])
            _ = apply("ReduceSum", [current, axes], [("keepdims", .int(1))])
        case "max":
            _ = apply("Abs", [input])
            _ = apply("ReduceMax", [current], [("axes", .ints([1])), ("keepdims", .int(1))])
        default: throw FlavorError("Normalizer(norm='\(norm)') is not a norm scikit-learn knows")
        }
        let norms = current
        _ = apply("Equal", [norms, constant(Tensor(scalar: 0), "zero")])
        _ = apply("Cast", [current], [("to", .int(Int64(ElementType.double.onnxDataType)))])
        let safe = apply("Add", [norms, current])
        _ = apply("Div", [input, safe])
    }

    /// Missing cells (NaN, or the number `missing_values`) replaced by the column's fitted statistic.
    mutating func impute(_ fields: [String: SklearnModel.Value], width: Int) throws(FlavorError) {
        guard !Self.flag(fields, "add_indicator", default: false) else {
            throw FlavorError("SimpleImputer(add_indicator=True) is not supported")
        }
        guard let statistics = try numbers(fields, "statistics_", width: width) else {
            throw FlavorError("SimpleImputer has no statistics_")
        }
        if statistics.contains(where: \.isNaN) {
            throw FlavorError("SimpleImputer has a column with no statistic (all missing when fitted)")
        }
        let input = current
        switch fields["missing_values"] {
        case .json(let value)? where value.doubleValue?.isNaN ?? false || value == .string("NaN"):
            _ = apply("IsNaN", [input])
        case .json(let value)? where value.doubleValue != nil:
            _ = apply("Equal", [input, constant(Tensor(scalar: value.doubleValue ?? 0), "missing")])
        default: throw FlavorError("SimpleImputer's missing_values is not a number")
        }
        let table = try Self.tensor(Tensor(shape: [width], doubles: statistics))
        _ = apply("Where", [current, constant(table, "statistics"), input])
    }

    /// `X @ components_.T - mean_ @ components_.T`, divided by the components' standard deviations when whitened.
    mutating func project(_ fields: [String: SklearnModel.Value], width: Int) throws(FlavorError) -> Int {
        guard case .array(let components)? = fields["components_"], components.shape.count == 2,
            components.shape[1] == width, let mean = try numbers(fields, "mean_", width: width)
        else { throw FlavorError("PCA has no components_ or mean_ for \(width) features") }
        let count = components.shape[0]
        let values = components.doubles
        var shift = [Double](repeating: 0, count: count)
        for k in 0..<count {
            for f in 0..<width { shift[k] += mean[f] * values[k * width + f] }
        }
        try multiplyTransposed(values, rows: count, width: width, "components")
        _ = apply("Sub", [current, constant(try Self.tensor(Tensor(shape: [count], doubles: shift)), "shift")])
        if Self.flag(fields, "whiten", default: false) {
            guard let variance = try numbers(fields, "explained_variance_", width: count) else {
                throw FlavorError("A whitened PCA has no explained_variance_")
            }
            let scale = variance.map { max($0.squareRoot(), Double.ulpOfOne) }
            _ = apply("Div", [current, constant(try Self.tensor(Tensor(shape: [count], doubles: scale)), "scale")])
        }
        return count
    }

    /// Every product of features up to the degree, each computed as scikit-learn does (the last feature of the
    /// term times the others from right to left), the bias as 1.
    mutating func polynomial(_ fields: [String: SklearnModel.Value], width: Int) throws(FlavorError) -> Int {
        let maximum = fields["_max_degree"].flatMap(SklearnModel.integer) ?? 2
        let minimum = fields["_min_degree"].flatMap(SklearnModel.integer) ?? 0
        guard (0...8).contains(maximum), minimum <= maximum, minimum >= 0 else {
            throw FlavorError("PolynomialFeatures of degree \(minimum)...\(maximum) is not supported")
        }
        guard
            let terms = SklearnModel.polynomialTerms(
                features: width, minimum: minimum, maximum: maximum,
                interactionOnly: Self.flag(fields, "interaction_only", default: false),
                bias: Self.flag(fields, "include_bias", default: true))
        else {
            throw FlavorError("PolynomialFeatures of degree \(maximum) over \(width) features gives too many columns")
        }
        if let declared = fields["n_output_features_"].flatMap(SklearnModel.integer), declared != terms.count {
            throw FlavorError("PolynomialFeatures declares \(declared) outputs; its degrees give \(terms.count)")
        }
        guard !terms.isEmpty else { throw FlavorError("PolynomialFeatures gives no columns") }
        let input = current
        var blocks: [String] = []
        for degree in 0...maximum {
            let group = terms.filter { $0.count == degree }
            guard !group.isEmpty else { continue }
            func column(_ position: Int) throws(FlavorError) -> String {
                let indices = group.map { Int64($0[position]) }
                let table = constant(try Self.tensor(Tensor(shape: [indices.count], int64s: indices)), "terms")
                return apply("Gather", [input, table], [("axis", .int(1))])
            }
            if degree == 0 {
                // x ** 0 is 1 for every x, NaN included.
                let first = constant(try Self.tensor(Tensor(shape: [1], int64s: [0])), "first")
                _ = apply("Gather", [input, first], [("axis", .int(1))])
                blocks.append(apply("Pow", [current, constant(Tensor(scalar: 0), "zero")]))
                continue
            }
            var product = try column(degree - 1)
            for position in stride(from: degree - 2, through: 0, by: -1) {
                let factor = try column(position)
                product = apply("Mul", [product, factor])
            }
            blocks.append(product)
        }
        sideBySide(blocks)
        return terms.count
    }
}
