import KaizenCore
import Testing

@testable import KaizenDeploy

struct RolloutStrategyTests {
    typealias F = RolloutFixtures

    @Test func blueGreenMovesEverythingAtOnceAndPromotesOnPass() throws {
        var rollout = try F.started(.blueGreen)
        #expect(
            rollout.handle(.contractChecksPassed(F.passedChecks), now: 1000) == [
                .setWeights(.candidateOnly), .emit(.step),
            ])
        #expect(rollout.currentWeights == .candidateOnly)
        #expect(F.passStep(&rollout) == [.setWeights(.candidateOnly), .emit(.promoted)])
        #expect(rollout.phase == .promoted)
        #expect(rollout.history.count == 1)
    }

    @Test func blueGreenRollsBackOnFail() throws {
        var rollout = try F.inFirstStep(.blueGreen)
        #expect(
            rollout.handle(.stepEvaluated(F.verdict(.fail), candidateRequests: 30), now: 2000)
                == [.setWeights(.stableOnly), .emit(.rolledBack)])
        #expect(rollout.currentWeights == .stableOnly)
        guard case .rolledBack(let reason) = rollout.phase else {
            Issue.record("expected rolled_back, got \(rollout.phase)")
            return
        }
        #expect(reason.hasPrefix("Step 1 of 1 (100%) failed"))
    }

    @Test func shadowWithoutPromotionCompletesWithStableAtAHundred() throws {
        var rollout = try F.started(.shadow(promote: false))
        let mirror = RolloutWeights(stable: 100, candidate: 0, shadow: 100)
        #expect(rollout.handle(.contractChecksPassed([]), now: 1000) == [.setWeights(mirror), .emit(.step)])
        #expect(F.passStep(&rollout) == [.setWeights(.stableOnly), .emit(.step)])
        #expect(rollout.phase == .shadowCompleted)
        #expect(rollout.currentWeights == .stableOnly)
        #expect(rollout.history.first?.weights == mirror)
    }

    @Test func shadowWithPromotionPromotes() throws {
        var rollout = try F.inFirstStep(.shadow(promote: true))
        #expect(F.passStep(&rollout) == [.setWeights(.candidateOnly), .emit(.promoted)])
        #expect(rollout.phase == .promoted)
    }

    @Test func shadowFailureStopsMirroring() throws {
        var rollout = try F.inFirstStep(.shadow(promote: true))
        #expect(
            rollout.handle(.stepEvaluated(F.verdict(.fail), candidateRequests: 300), now: 3000)
                == [.setWeights(.stableOnly), .emit(.rolledBack)])
        guard case .rolledBack(let reason) = rollout.phase else {
            Issue.record("expected rolled_back, got \(rollout.phase)")
            return
        }
        #expect(reason.hasPrefix("Step 1 of 1 (100% shadow) failed"))
    }

    @Test func strategiesFromOptions() throws {
        #expect(try RolloutStrategy(name: "canary") == .canary(steps: [5, 25, 50, 100]))
        #expect(try RolloutStrategy(name: "canary", steps: [10, 100]) == .canary(steps: [10, 100]))
        #expect(try RolloutStrategy(name: "blue-green") == .blueGreen)
        #expect(try RolloutStrategy(name: "shadow") == .shadow(promote: false))
        #expect(try RolloutStrategy(name: "shadow", promoteAfterShadow: true) == .shadow(promote: true))
        let refused: [(String, [Int]?, Bool)] = [
            ("linear", nil, false), ("canary", [], false), ("canary", [50, 25], false), ("canary", [0, 100], false),
            ("canary", [5, 101], false), ("canary", [5, 5], false), ("blue-green", [50], false),
            ("canary", nil, true),
        ]
        for (name, steps, promote) in refused {
            #expect(throws: KaizenError.self, "\(name) \(String(describing: steps))") {
                try RolloutStrategy(name: name, steps: steps, promoteAfterShadow: promote)
            }
        }
    }

    @Test func startRefusesBadArguments() {
        func start(
            _ stable: Int64, _ candidate: Int64, _ strategy: RolloutStrategy, _ settings: RolloutSettings
        )
            throws(KaizenError)
        {
            _ = try Rollout.start(
                id: "r", endpoint: "e", stableVersion: stable, candidateVersion: candidate, strategy: strategy,
                settings: settings, now: 0)
        }
        #expect(throws: KaizenError.self) { try start(3, 3, .blueGreen, RolloutSettings()) }
        #expect(throws: KaizenError.self) { try start(0, 3, .blueGreen, RolloutSettings()) }
        #expect(throws: KaizenError.self) { try start(3, 4, .canary(steps: [30, 20]), RolloutSettings()) }
        #expect(throws: KaizenError.self) {
            try start(3, 4, .blueGreen, RolloutSettings(stepDuration: 600_000, stepTimeout: 600_000))
        }
        #expect(throws: KaizenError.self) { try start(3, 4, .blueGreen, RolloutSettings(stepDuration: -1)) }
    }

    @Test func stepWeights() {
        let canary = RolloutStrategy.canary(steps: [5, 25])
        #expect(canary.weights(atStep: 0) == RolloutWeights(stable: 95, candidate: 5))
        #expect(canary.weights(atStep: 1) == RolloutWeights(stable: 75, candidate: 25))
        #expect(canary.weights(atStep: 7) == RolloutWeights(stable: 75, candidate: 25))
        #expect(canary.weights(atStep: -1) == RolloutWeights(stable: 95, candidate: 5))
        #expect(RolloutStrategy.blueGreen.weights(atStep: 0) == .candidateOnly)
        #expect(
            RolloutStrategy.shadow(promote: true).weights(atStep: 0)
                == RolloutWeights(stable: 100, candidate: 0, shadow: 100))
    }
}
