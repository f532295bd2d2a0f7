import KaizenCore
import Testing

@testable import KaizenMonitoring

/// Isotonic regression by hand and against scikit-learn's `IsotonicRegression(out_of_bounds="clip")`.
struct IsotonicRegressionTests {
    @Test func poolsViolatorsAndInterpolatesBetweenBlocks() throws {
        let regression = try IsotonicRegression(x: [1, 2, 3, 4], y: [1, 3, 2, 4])
        #expect(regression.knots == [1, 2, 3, 4])
        #expect(regression.values == [1, 2.5, 2.5, 4])
        #expect(regression.predict([0, 1.5, 2.5, 3.5, 9]) == [1, 1.75, 2.5, 3.25, 4])
    }

    @Test func averagesTiedXBeforePooling() throws {
        // x = 1 twice: y averages to 0.5 with weight 2; then (0.5, w 2) and (0, w 1) pool to 1/3.
        let regression = try IsotonicRegression(x: [1, 1, 2, 3], y: [0, 1, 0, 1])
        let third = 1.0 / 3
        #expect(regression.predict([1, 2, 3]) == [third, third, 1])
    }

    @Test func dropsPointsInsideFlatBlocks() throws {
        let regression = try IsotonicRegression(x: [0, 1, 2, 3, 4], y: [0, 0, 0, 0, 1])
        #expect(regression.knots == [0, 3, 4])
        #expect(regression.predict(3.5) == 0.5)
    }

    @Test func constantFitPredictsItsValue() throws {
        let regression = try IsotonicRegression(x: [0.2, 0.4, 0.6], y: [1, 0, 0])
        #expect(regression.knots.count == 2)
        let third = 1.0 / 3
        #expect(regression.predict([0, 0.5, 1]) == [third, third, third])
    }

    @Test func matchesScikitLearn() throws {
        let regression = try IsotonicRegression(x: NannyMLVectors.isotonicX, y: NannyMLVectors.isotonicY)
        #expect(regression.knots == NannyMLVectors.isotonicKnots)
        let predictions = regression.predict(NannyMLVectors.isotonicQueries)
        for (got, expected) in zip(predictions, NannyMLVectors.isotonicPredictions) {
            #expect(abs(got - expected) <= 1e-12, "got \(got), expected \(expected)")
        }
    }

    @Test func refusesNonFiniteInput() {
        #expect(throws: KaizenError.self) { try IsotonicRegression(x: [0, .nan], y: [0, 1]) }
    }
}
