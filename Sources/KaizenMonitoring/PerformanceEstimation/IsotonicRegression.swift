public import KaizenCore

/// An increasing isotonic regression of y on x, fitted and evaluated as scikit-learn's
/// `IsotonicRegression(increasing=True, out_of_bounds="clip")` does in float64.
///
/// Fitting sorts the points by x then y, merges x values closer than 1e-15 to the first of their group (averaging
/// their y), solves the weighted problem with the pool-adjacent-violators algorithm in the order SciPy's
/// `isotonic_regression` pools (Busing 2022), and keeps only the points where the fitted curve bends. Prediction
/// clips to the fitted x range and interpolates linearly as `np.interp` does; between blocks the curve is a ramp,
/// not a step.
public struct IsotonicRegression: Sendable, Hashable {
    /// The x of the points the curve passes through, strictly increasing.
    public let knots: [Double]
    /// The fitted value at each knot, non-decreasing.
    public let values: [Double]
    /// The smallest x seen in fitting; smaller inputs are clipped to it.
    public let lowerBound: Double
    /// The largest x seen in fitting; larger inputs are clipped to it.
    public let upperBound: Double

    /// Fits the curve; `x` and `y` must have the same, non-zero length and hold finite numbers.
    public init(x: [Double], y: [Double]) throws(KaizenError) {
        guard x.count == y.count, !x.isEmpty else {
            throw KaizenError.invalidParameter(
                "isotonic regression needs x and y of one non-zero length (\(x.count), \(y.count))")
        }
        guard x.allSatisfy(\.isFinite), y.allSatisfy(\.isFinite) else {
            throw KaizenError.invalidParameter("isotonic regression needs finite x and y")
        }
        // np.lexsort((y, x)): by x, then by y, stable.
        let order = x.indices.sorted { (x[$0], y[$0], $0) < (x[$1], y[$1], $1) }

        // sklearn's _make_unique: a new group starts once x moves at least float64's resolution past the group's
        // first x.
        let resolution = 1e-15
        var uniqueX: [Double] = []
        var meanY: [Double] = []
        var weights: [Double] = []
        var groupX = x[order[0]]
        var groupSum = 0.0
        var groupWeight = 0.0
        for index in order {
            if x[index] - groupX >= resolution {
                uniqueX.append(groupX)
                meanY.append(groupSum / groupWeight)
                weights.append(groupWeight)
                groupX = x[index]
                groupSum = y[index]
                groupWeight = 1
            } else {
                groupSum += y[index]
                groupWeight += 1
            }
        }
        uniqueX.append(groupX)
        meanY.append(groupSum / groupWeight)
        weights.append(groupWeight)

        let fitted = Self.poolAdjacentViolators(meanY, weights: weights)
        lowerBound = uniqueX[0]
        upperBound = uniqueX[uniqueX.count - 1]

        // Keep the ends and every point whose value differs from a neighbour's.
        var keptX: [Double] = []
        var keptY: [Double] = []
        for index in fitted.indices {
            let interior = index > 0 && index < fitted.count - 1
            if !interior || fitted[index] != fitted[index - 1] || fitted[index] != fitted[index + 1] {
                keptX.append(uniqueX[index])
                keptY.append(fitted[index])
            }
        }
        knots = keptX
        values = keptY
    }

    /// The curve at each input: clipped to the fitted range, then interpolated linearly between knots (constant when
    /// only one knot remains). NaN stays NaN.
    public func predict(_ inputs: [Double]) -> [Double] {
        inputs.map(predict)
    }

    /// The curve at one input.
    public func predict(_ input: Double) -> Double {
        if input.isNaN { return input }
        if knots.count == 1 { return values[0] }
        let x = min(max(input, lowerBound), upperBound)
        // The last knot j with knots[j] <= x (x lies within the knots after clipping).
        var low = 0
        var high = knots.count - 1
        if x >= knots[high] { return values[high] }
        while high - low > 1 {
            let middle = (low + high) / 2
            if knots[middle] <= x { low = middle } else { high = middle }
        }
        let j = low
        if knots[j] == x { return values[j] }
        let slope = (values[j + 1] - values[j]) / (knots[j + 1] - knots[j])
        var result = slope * (x - knots[j]) + values[j]
        if result.isNaN {
            result = slope * (x - knots[j + 1]) + values[j + 1]
            if result.isNaN && values[j] == values[j + 1] { result = values[j] }
        }
        return result
    }

    /// The weighted pool-adjacent-violators solution for increasing values, pooling in the order of Busing's
    /// Algorithm 1 as SciPy implements it (ties pool too), so block means round as SciPy's do.
    package static func poolAdjacentViolators(_ input: [Double], weights input2: [Double]) -> [Double] {
        var x = input
        var w = input2
        let n = x.count
        guard n > 1 else { return x }
        var blockStart = [Int](repeating: 0, count: n + 1)
        blockStart[1] = 1
        var b = 0
        var previousValue = x[0]
        var previousWeight = w[0]
        var i = 1
        while i < n {
            b += 1
            var value = x[i]
            var weight = w[i]
            if previousValue >= value {
                b -= 1
                var sum = previousWeight * previousValue + weight * value
                weight += previousWeight
                value = sum / weight
                while i < n - 1 && value >= x[i + 1] {
                    i += 1
                    sum += w[i] * x[i]
                    weight += w[i]
                    value = sum / weight
                }
                while b > 0 && x[b - 1] >= value {
                    b -= 1
                    sum += w[b] * x[b]
                    weight += w[b]
                    value = sum / weight
                }
            }
            x[b] = value
            previousValue = value
            w[b] = weight
            previousWeight = weight
            blockStart[b + 1] = i + 1
            i += 1
        }
        var from = n - 1
        var block = b
        while block >= 0 {
            let to = blockStart[block]
            let value = x[block]
            var index = from
            while index >= to {
                x[index] = value
                index -= 1
            }
            from = to - 1
            block -= 1
        }
        return x
    }
}
