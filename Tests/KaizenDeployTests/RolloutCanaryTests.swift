import KaizenCore
import Testing

@testable import KaizenDeploy

struct RolloutCanaryTests {
    typealias F = RolloutFixtures

    @Test func startingRunsContractChecksWithoutCandidateTraffic() throws {
        let (rollout, effects) = try Rollout.start(
            id: "r1", endpoint: "fraud", stableVersion: 3, candidateVersion: 4,
            strategy: .canary(steps: [5, 25, 50, 100]), now: 0)
        #expect(effects == [.emit(.started), .runContractChecks])
        #expect(rollout.phase == .contractChecks)
        #expect(rollout.currentWeights == .stableOnly)
        #expect(rollout.createdAt == 0 && rollout.updatedAt == 0)
    }

    @Test func aGoodCanaryGoesThroughEveryStepAndPromotes() throws {
        var rollout = try F.started()
        let first = rollout.handle(.contractChecksPassed(F.passedChecks), now: 1000)
        #expect(first == [.setWeights(RolloutWeights(stable: 95, candidate: 5)), .emit(.step)])
        #expect(rollout.phase == .step(0))
        #expect(rollout.stepStartedAt == 1000)
        #expect(rollout.contractChecks == F.passedChecks)

        let expected = [25, 50, 100]
        for (index, percent) in expected.enumerated() {
            // A pass before the minimum duration is only noted.
            let early = rollout.handle(
                .stepEvaluated(F.verdict(.pass), candidateRequests: 900), now: rollout.stepStartedAt + 1)
            #expect(early == [])
            #expect(rollout.phase == .step(index))
            #expect(rollout.latestEvaluation?.decision == .pending)

            let start = rollout.stepStartedAt
            let effects = F.passStep(&rollout)
            #expect(effects == [.setWeights(RolloutWeights(stable: 100 - percent, candidate: percent)), .emit(.step)])
            #expect(rollout.phase == .step(index + 1))
            #expect(rollout.stepStartedAt == start + F.settings.stepDuration)
            #expect(rollout.latestEvaluation == nil)
        }
        let last = F.passStep(&rollout)
        #expect(last == [.setWeights(.candidateOnly), .emit(.promoted)])
        #expect(rollout.phase == .promoted)
        #expect(rollout.currentWeights == .candidateOnly)
        #expect(rollout.history.map(\.decision) == [.advanced, .advanced, .advanced, .advanced])
        #expect(rollout.history.map(\.weights.candidate) == [5, 25, 50, 100])
        #expect(rollout.history.map(\.step) == [0, 1, 2, 3])
    }

    @Test func aPassWithTooFewRequestsDoesNotAdvance() throws {
        var rollout = try F.inFirstStep()
        let late = 1000 + F.settings.stepDuration
        #expect(rollout.handle(.stepEvaluated(F.verdict(.pass), candidateRequests: 199), now: late) == [])
        #expect(rollout.phase == .step(0))
        #expect(rollout.latestEvaluation?.candidateRequests == 199)
        #expect(rollout.handle(.stepEvaluated(F.verdict(.pass), candidateRequests: 200), now: late + 1).count == 2)
        #expect(rollout.phase == .step(1))
    }

    @Test func aFailAtTheFirstStepRollsBackAtOnce() throws {
        var rollout = try F.inFirstStep()
        // Before the minimum duration and with few requests: a failure does not wait.
        let effects = rollout.handle(
            .stepEvaluated(F.verdict(.fail, reason: "candidate 4.1% vs stable 0.3%"), candidateRequests: 12),
            now: 1500)
        #expect(effects == [.setWeights(.stableOnly), .emit(.rolledBack)])
        guard case .rolledBack(let reason) = rollout.phase else {
            Issue.record("expected rolled_back, got \(rollout.phase)")
            return
        }
        #expect(reason == "Step 1 of 4 (5%) failed: error_rate: candidate 4.1% vs stable 0.3%")
        #expect(rollout.currentWeights == .stableOnly)
        #expect(rollout.history.count == 1)
        #expect(rollout.history.first?.decision == .failed)
        #expect(rollout.history.first?.candidateRequests == 12)
        #expect(rollout.updatedAt == 1500)
    }

    @Test func aFailAtALaterStepRollsBack() throws {
        var rollout = try F.inFirstStep()
        _ = F.passStep(&rollout)
        _ = F.passStep(&rollout)
        #expect(rollout.phase == .step(2))
        let effects = rollout.handle(.stepEvaluated(F.verdict(.fail), candidateRequests: 1), now: rollout.stepStartedAt)
        #expect(effects == [.setWeights(.stableOnly), .emit(.rolledBack)])
        #expect(rollout.history.map(\.decision) == [.advanced, .advanced, .failed])
    }

    @Test func failedContractChecksStopBeforeAnyTraffic() throws {
        var rollout = try F.started()
        let results = [
            ContractCheckResult(name: "replicas_loaded", passed: true),
            ContractCheckResult(name: "examples", passed: false, detail: "output 'label' is a string, was an integer"),
        ]
        let effects = rollout.handle(.contractChecksFailed(results), now: 700)
        #expect(effects == [.setWeights(.stableOnly), .emit(.rolledBack)])
        #expect(
            rollout.phase
                == .rolledBack(reason: "Contract checks failed: examples: output 'label' is a string, was an integer"))
        #expect(rollout.contractChecks == results)
        #expect(rollout.history.isEmpty)
    }

    @Test func aFailingResultReportedAsPassedStillStops() throws {
        var rollout = try F.started()
        let effects = rollout.handle(
            .contractChecksPassed([ContractCheckResult(name: "latency_budget", passed: false)]), now: 700)
        #expect(effects == [.setWeights(.stableOnly), .emit(.rolledBack)])
        #expect(rollout.phase == .rolledBack(reason: "Contract checks failed: latency_budget"))
    }

    @Test func undecidedThenTimeOutPausesAndResumeRestartsTheStep() throws {
        var rollout = try F.inFirstStep()
        _ = F.passStep(&rollout)
        let stepStart = rollout.stepStartedAt
        #expect(
            rollout.handle(.stepEvaluated(F.verdict(.notYet), candidateRequests: 40), now: stepStart + 5 * F.minute)
                == [])
        #expect(rollout.handle(.tick, now: stepStart + F.settings.stepTimeout - 1) == [])
        #expect(rollout.phase == .step(1))

        let paused = rollout.handle(.tick, now: stepStart + F.settings.stepTimeout)
        #expect(paused == [.emit(.paused)])
        #expect(rollout.phase == .paused(reason: .stepTimeout, resumeTo: 1))
        #expect(rollout.currentWeights == RolloutWeights(stable: 75, candidate: 25))
        let record = try #require(rollout.history.last)
        #expect(record.decision == .timedOut)
        #expect(record.candidateRequests == 40)
        #expect(record.verdict == F.verdict(.notYet))
        #expect(record.decidedAt == stepStart + F.settings.stepTimeout)

        // While paused, verdicts and ticks change nothing: a pause never promotes.
        let before = rollout
        #expect(
            rollout.handle(.stepEvaluated(F.verdict(.pass), candidateRequests: 900), now: stepStart + 20 * F.minute)
                == [])
        #expect(rollout.handle(.tick, now: stepStart + 30 * F.minute) == [])
        #expect(rollout == before)

        let resumedAt = stepStart + 40 * F.minute
        let resumed = rollout.handle(.resume, now: resumedAt)
        #expect(resumed == [.setWeights(RolloutWeights(stable: 75, candidate: 25)), .emit(.step)])
        #expect(rollout.phase == .step(1))
        #expect(rollout.stepStartedAt == resumedAt)
        // The step's clock restarted: a tick shortly after resuming does not time it out again.
        #expect(rollout.handle(.tick, now: resumedAt + F.minute) == [])
        #expect(F.passStep(&rollout) == [.setWeights(RolloutWeights(stable: 50, candidate: 50)), .emit(.step)])
        #expect(rollout.phase == .step(2))
    }

    @Test func anUndecidedVerdictPastTheTimeOutPauses() throws {
        var rollout = try F.inFirstStep()
        let effects = rollout.handle(
            .stepEvaluated(F.verdict(.notYet), candidateRequests: 5), now: 1000 + F.settings.stepTimeout + 1)
        #expect(effects == [.emit(.paused)])
        #expect(rollout.phase == .paused(reason: .stepTimeout, resumeTo: 0))
        #expect(rollout.history.last?.candidateRequests == 5)
    }

    @Test func aPassWithoutEnoughRequestsPastTheTimeOutPausesNeverPromotes() throws {
        var rollout = try F.inFirstStep(.blueGreen)
        let effects = rollout.handle(
            .stepEvaluated(F.verdict(.pass), candidateRequests: 150), now: 1000 + F.settings.stepTimeout)
        #expect(effects == [.emit(.paused)])
        #expect(rollout.phase == .paused(reason: .stepTimeout, resumeTo: 0))
        #expect(rollout.history.last?.decision == .timedOut)
        #expect(rollout.history.last?.verdict.outcome == .pass)
    }

    @Test func aTimeOutWithoutAnyVerdictRecordsAnEmptyOne() throws {
        var rollout = try F.inFirstStep()
        #expect(rollout.handle(.tick, now: 1000 + F.settings.stepTimeout) == [.emit(.paused)])
        let record = try #require(rollout.history.last)
        #expect(record.candidateRequests == 0)
        #expect(record.verdict.checks.isEmpty)
        #expect(record.startedAt == 1000)
        #expect(record.weights == RolloutWeights(stable: 95, candidate: 5))
    }

    @Test func canaryStepsBelowAHundredPromoteAfterTheLast() throws {
        var rollout = try F.inFirstStep(.canary(steps: [10, 50]))
        #expect(F.passStep(&rollout) == [.setWeights(RolloutWeights(stable: 50, candidate: 50)), .emit(.step)])
        #expect(F.passStep(&rollout) == [.setWeights(.candidateOnly), .emit(.promoted)])
        #expect(rollout.phase == .promoted)
    }
}
