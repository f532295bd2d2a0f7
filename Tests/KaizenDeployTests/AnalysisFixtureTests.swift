import Foundation
import Testing

@testable import KaizenDeploy

/// The figures of a step's analysis against SciPy's, from `interop/deploy/make_analysis_fixtures.py`.
struct AnalysisFixtureTests {
    struct Fixture: Decodable {
        var cases: [Case]
    }

    struct Case: Decodable {
        var name: String
        var candidate: Side
        var stable: Side
        /// Figure name to SciPy's value; every name is a figure of exactly one check.
        var expected: [String: Double]
    }

    struct Side: Decodable {
        var requests: UInt64
        var serverErrors: UInt64
        var latency: [UInt64]
        var classes: [String: UInt64]?
        var bins: [UInt64]?

        enum CodingKeys: String, CodingKey {
            case requests, latency, classes, bins
            case serverErrors = "server_errors"
        }

        var stats: VersionStats {
            VersionStats(
                requests: requests, serverErrors: serverErrors, latency: latency,
                predictions: PredictionSketch(classes: classes ?? [:], bins: bins ?? [])
            )
        }
    }

    static func load() throws -> Fixture {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/analysis", withExtension: "json"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    /// Within 1e-9 relative; values that are exactly 0 on SciPy's side must be within 1e-15 of it.
    static func close(_ actual: Double, _ expected: Double) -> Bool {
        abs(actual - expected) <= max(1e-9 * max(abs(actual), abs(expected)), 1e-15)
    }

    @Test func fixtureIsFoundInTheBundle() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/analysis", withExtension: "json"))
        #expect(url.lastPathComponent == "analysis.json")
        #expect(try Self.load().cases.count >= 12)
    }

    @Test func figuresMatchSciPy() throws {
        let analysis = StepAnalysis()
        for testCase in try Self.load().cases {
            let verdict = analysis.verdict(candidate: testCase.candidate.stats, stable: testCase.stable.stats)
            for (figure, expected) in testCase.expected {
                let owners = verdict.checks.filter { $0.figures[figure] != nil }
                try #require(owners.count == 1, "\(testCase.name): \(figure) is a figure of \(owners.count) checks")
                let actual = try #require(owners[0].figures[figure])
                #expect(
                    Self.close(actual, expected), "\(testCase.name): \(figure) is \(actual), SciPy says \(expected)")
            }
        }
    }

    @Test func primitivesMatchSciPy() throws {
        for testCase in try Self.load().cases {
            let candidate = testCase.candidate.stats
            let stable = testCase.stable.stats
            let test = TwoProportionZTest(
                candidateEvents: candidate.serverErrors, candidateTrials: candidate.requests,
                stableEvents: stable.serverErrors, stableTrials: stable.requests
            )
            let distance = try #require(
                PredictionDistance(candidate: candidate.predictions, stable: stable.predictions))
            let cells = PredictionDistance.alignedCells(candidate.predictions, stable.predictions)
            let significance = try #require(HomogeneityGTest(candidate: cells.0, stable: cells.1))
            let computed = [
                "z": test.z, "p_value": test.pValue, "candidate_rate": test.candidateRate,
                "stable_rate": test.stableRate,
                "js_distance": distance.jsDistance, "psi": distance.psi,
                "g_statistic": significance.statistic, "divergence_p_value": significance.pValue,
                "candidate_p99": try #require(candidate.latencyQuantile(0.99)),
                "stable_p99": try #require(stable.latencyQuantile(0.99)),
            ]
            #expect(Set(computed.keys) == Set(testCase.expected.keys), "\(testCase.name)")
            for (figure, actual) in computed {
                let expected = try #require(testCase.expected[figure])
                #expect(
                    Self.close(actual, expected), "\(testCase.name): \(figure) is \(actual), SciPy says \(expected)")
            }
        }
    }

    @Test func normalSurvivalKeepsTheTail() {
        // scipy.stats.norm.sf at 0, 1.96, 10 and 30.
        let expected: [(Double, Double)] = [
            (0, 0.5), (1.96, 0.024997895148220435), (10, 7.61985302416047e-24), (30, 4.906713927147908e-198),
        ]
        for (z, sf) in expected {
            #expect(Self.close(TwoProportionZTest.normalSurvival(z), sf), "sf(\(z))")
        }
    }
}
