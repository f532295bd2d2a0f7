import KaizenCore
import Testing

@testable import KaizenDeploy

struct RolloutCommandTests {
    typealias F = RolloutFixtures

    static let allEvents: [RolloutEvent] = [
        .contractChecksPassed(F.passedChecks), .contractChecksFailed([]),
        .stepEvaluated(F.verdict(.pass), candidateRequests: 10_000),
        .stepEvaluated(F.verdict(.fail), candidateRequests: 1),
        .tick, .pause, .resume, .abort, .promote,
    ]

    @Test func abortReturnsTrafficToStableFromAnyLivePhase() throws {
        var inStep = try F.inFirstStep()
        _ = F.passStep(&inStep)
        var paused = inStep
        _ = paused.handle(.pause, now: 90_000)
        for var rollout in [try F.started(), inStep, paused] {
            let effects = try rollout.apply(.abort, now: 100_000)
            #expect(effects == [.setWeights(.stableOnly), .emit(.rolledBack)])
            #expect(rollout.phase == .aborted)
            #expect(rollout.currentWeights == .stableOnly)
            #expect(rollout.updatedAt == 100_000)
        }
    }

    @Test func manualPromoteJumpsToAHundredPercent() throws {
        var rollout = try F.inFirstStep()
        _ = F.passStep(&rollout)
        var paused = rollout
        _ = paused.handle(.pause, now: 70_000)
        for var candidate in [rollout, paused] {
            #expect(try candidate.apply(.promote, now: 80_000) == [.setWeights(.candidateOnly), .emit(.promoted)])
            #expect(candidate.phase == .promoted)
            #expect(candidate.currentWeights == .candidateOnly)
        }
        var shadow = try F.inFirstStep(.shadow(promote: false))
        #expect(try shadow.apply(.promote, now: 2000) == [.setWeights(.candidateOnly), .emit(.promoted)])
    }

    @Test func manualPauseHoldsTheStepsTraffic() throws {
        var rollout = try F.inFirstStep()
        _ = F.passStep(&rollout)
        let weights = rollout.currentWeights
        #expect(try rollout.apply(.pause, now: 70_000) == [.emit(.paused)])
        #expect(rollout.phase == .paused(reason: .manual, resumeTo: 1))
        #expect(rollout.currentWeights == weights)
        // A manual pause does not time out into anything else.
        #expect(rollout.handle(.tick, now: 10 * F.settings.stepTimeout) == [])
        #expect(try rollout.apply(.resume, now: 90_000) == [.setWeights(weights), .emit(.step)])
        #expect(rollout.phase == .step(1))
        #expect(rollout.stepStartedAt == 90_000)
    }

    @Test func illegalCommandsAreReportedAndChangeNothing() throws {
        var promoted = try F.inFirstStep()
        _ = promoted.handle(.promote, now: 5000)
        let cases: [(Rollout, RolloutEvent, String)] = [
            (promoted, .pause, "Cannot pause rollout r1 of endpoint 'fraud': it is over (promoted)"),
            (promoted, .abort, "Cannot abort rollout r1 of endpoint 'fraud': it is over (promoted)"),
            (try F.inFirstStep(), .resume, "Cannot resume rollout r1 of endpoint 'fraud': it is not paused"),
            (
                try F.started(), .promote,
                "Cannot promote rollout r1 of endpoint 'fraud': it cannot be promoted before its contract checks pass"
            ),
            (
                try F.started(), .pause,
                "Cannot pause rollout r1 of endpoint 'fraud': it cannot pause during its contract checks"
            ),
        ]
        for (rollout, command, message) in cases {
            var copy = rollout
            #expect(throws: KaizenError(Rollout.invalidState, message)) { try copy.apply(command, now: 9000) }
            #expect(copy == rollout)
            #expect(copy.handle(command, now: 9000) == [])
            #expect(copy == rollout)
        }
        #expect(Rollout.invalidState.httpStatus == 409)
        var paused = try F.inFirstStep()
        _ = paused.handle(.pause, now: 2000)
        #expect(paused.rejection(of: .pause)?.message.hasSuffix("it is already paused") == true)
    }

    @Test func everyEventInATerminalPhaseIsIgnored() throws {
        for (name, rollout) in try F.everyPhase() where rollout.phase.isTerminal {
            for event in Self.allEvents {
                var copy = rollout
                #expect(copy.handle(event, now: 1_000_000) == [], "\(name): \(event.name)")
                #expect(copy == rollout, "\(name): \(event.name)")
                #expect(copy.rejection(of: event) != nil, "\(name): \(event.name)")
            }
        }
    }

    @Test func outOfOrderEventsAreIgnored() throws {
        let checking = try F.started()
        var copy = checking
        #expect(copy.handle(.stepEvaluated(F.verdict(.fail), candidateRequests: 1), now: 10) == [])
        #expect(copy == checking)

        let running = try F.inFirstStep()
        copy = running
        #expect(copy.handle(.contractChecksFailed([]), now: 2000) == [])
        #expect(copy.handle(.contractChecksPassed([]), now: 2000) == [])
        #expect(copy == running)
    }

    @Test func extremeTimesNeitherTrapNorAdvance() throws {
        var rollout = try F.inFirstStep()
        #expect(rollout.handle(.tick, now: .min) == [])
        #expect(rollout.handle(.stepEvaluated(F.verdict(.pass), candidateRequests: .max), now: .min) == [])
        #expect(rollout.phase == .step(0))
        // A clock far ahead times the step out.
        #expect(rollout.handle(.tick, now: .max) == [.emit(.paused)])
        #expect(rollout.handle(.resume, now: .min).count == 2)
        #expect(rollout.handle(.tick, now: .max) == [.emit(.paused)])
    }
}
