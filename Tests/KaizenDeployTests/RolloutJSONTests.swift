import KaizenCore
import Testing

@testable import KaizenDeploy

struct RolloutJSONTests {
    typealias F = RolloutFixtures

    /// Through text, as a store keeps it.
    func roundTrip(_ rollout: Rollout) throws -> Rollout {
        try Rollout(json: JSONValue(parsing: rollout.json.jsonText))
    }

    @Test func everyPhaseSurvivesAJSONRoundTrip() throws {
        let rollouts = try F.everyPhase()
        #expect(Set(rollouts.map(\.1.phase.name)) == Set(RolloutPhase.names))
        for (name, rollout) in rollouts {
            #expect(try roundTrip(rollout) == rollout, "\(name)")
        }
        for strategy: RolloutStrategy in [
            .blueGreen, .shadow(promote: true), .shadow(promote: false), .canary(steps: [1]),
        ] {
            let rollout = try F.inFirstStep(strategy)
            #expect(try roundTrip(rollout) == rollout, "\(strategy)")
        }
    }

    @Test func theJSONShape() throws {
        var rollout = try F.inFirstStep()
        _ = F.passStep(&rollout)
        _ = rollout.handle(.tick, now: rollout.stepStartedAt + F.settings.stepTimeout)
        let json = rollout.json
        #expect(json["phase"] == "paused")
        #expect(json["step"] == 1)
        #expect(json["reason"] == "step_timeout")
        #expect(json["stable_version"] == "3")
        #expect(json["candidate_version"] == "4")
        #expect(json["weights"] == .object([("stable", 75), ("candidate", 25), ("shadow", 0)]))
        #expect(json["strategy"] == .object([("name", "canary"), ("steps", [5, 25, 50, 100])]))
        #expect(json["settings"]?["step_requests"] == 200)
        #expect(json["settings"]?["step_duration_ms"] == 60_000)
        #expect(json["settings"]?["step_timeout_ms"] == 600_000)
        #expect(json["settings"]?["thresholds"] == AnalysisThresholds().json)
        #expect(json["history"]?.arrayValue?.count == 2)
        #expect(json["history"]?.arrayValue?.last?["decision"] == "timed_out")
        #expect(json["latest_evaluation"] == nil)
        #expect(json["contract_checks"]?.arrayValue?.first?["name"] == "replicas_loaded")
        let record = try #require(json["history"]?.arrayValue?.first)
        #expect(record["verdict"]?["outcome"] == "pass")
        #expect(record["verdict"]?["checks"]?.arrayValue?.first?["figures"] == .object([("p_value", 0.5)]))
    }

    /// A rollout's own thresholds survive the store, and its step requests stand for every minimum sample size.
    @Test func customThresholdsSurviveAndStepRequestsSetTheMinimums() throws {
        var limits = AnalysisThresholds(maximumLatencyRatio: 4, latencyFloor: 0.02, divergenceMetric: .psi)
        limits.minimumAgreement = 0.75
        let rollout = try Rollout.start(
            id: "r1", endpoint: "fraud", stableVersion: 3, candidateVersion: 4, strategy: .blueGreen,
            settings: RolloutSettings(stepRequests: 30, thresholds: limits), now: 0
        ).rollout
        let back = try roundTrip(rollout)
        #expect(back.settings.thresholds.maximumLatencyRatio == 4)
        #expect(back.settings.thresholds.latencyFloor == 0.02)
        #expect(back.settings.thresholds.divergenceMetric == .psi)
        #expect(back.settings.thresholds.minimumAgreement == 0.75)
        let judged = back.settings.analysisThresholds
        #expect(
            judged.minimumRequests == 30 && judged.minimumPredictions == 30 && judged.minimumShadowComparisons == 30)
        // A partial object keeps the defaults for the rest.
        let partial = try AnalysisThresholds(json: .object([("alpha", 0.05)]))
        var expected = AnalysisThresholds()
        expected.alpha = 0.05
        #expect(partial == expected)
    }

    @Test func nonFiniteFiguresSurvive() throws {
        let verdict = StepVerdict(checks: [
            CheckResult(name: "latency_p99", outcome: .notYet, figures: ["ratio": .infinity, "p": .nan], reason: "r")
        ])
        let back = try StepVerdict(json: JSONValue(parsing: verdict.json.jsonText))
        #expect(back.checks.first?.figures["ratio"] == .infinity)
        #expect(back.checks.first?.figures["p"]?.isNaN == true)
        #expect(back.outcome == .notYet)
    }

    /// A control plane that restarts reads the rollout back mid-step and goes on exactly as the first would have:
    /// same step, same clock (decoding does not restart the step), same decisions.
    @Test func aDecodedRolloutContinuesMidStep() throws {
        var original = try F.inFirstStep()
        _ = F.passStep(&original)
        _ = original.handle(
            .stepEvaluated(F.verdict(.notYet), candidateRequests: 50), now: original.stepStartedAt + 1000)
        var restored = try roundTrip(original)
        #expect(restored.phase == .step(1))
        #expect(restored.stepStartedAt == original.stepStartedAt)
        #expect(restored.latestEvaluation == original.latestEvaluation)

        let start = original.stepStartedAt
        let script: [(RolloutEvent, Int64)] = [
            (.tick, start + 2 * F.minute),
            (.stepEvaluated(F.verdict(.pass), candidateRequests: 300), start + F.minute),
            (.stepEvaluated(F.verdict(.notYet), candidateRequests: 10), start + 3 * F.minute),
            (.tick, start + 3 * F.minute + F.settings.stepTimeout),
            (.resume, start + 30 * F.minute),
            (.stepEvaluated(F.verdict(.pass), candidateRequests: 300), start + 31 * F.minute),
            (.stepEvaluated(F.verdict(.fail), candidateRequests: 9), start + 32 * F.minute),
        ]
        for (event, now) in script {
            let expected = original.handle(event, now: now)
            #expect(restored.handle(event, now: now) == expected, "\(event.name) at \(now)")
            #expect(restored == original, "\(event.name) at \(now)")
            restored = try roundTrip(restored)
        }
        #expect(restored.phase.name == "rolled_back")
    }

    @Test func aRestoredStepTimesOutFromItsOriginalStart() throws {
        let rollout = try F.inFirstStep()
        var restored = try roundTrip(rollout)
        // Decoding does not restart the step's clock: ten minutes after the step started it pauses.
        #expect(restored.handle(.tick, now: 1000 + F.settings.stepTimeout) == [.emit(.paused)])
    }

    @Test func malformedRolloutsAreRefusedWithTheField() throws {
        let good = try F.inFirstStep().json
        func replacing(_ key: String, with value: JSONValue?) -> JSONValue {
            var fields = good.objectFields ?? []
            fields.removeAll { $0.0 == key }
            if let value { fields.append((key, value)) }
            return .object(fields)
        }
        let cases: [(JSONValue, String)] = [
            (.array([]), "Invalid rollout: the document must be a JSON object"),
            (replacing("id", with: nil), "Invalid rollout: 'id' is required"),
            (replacing("phase", with: "running"), "Invalid rollout: 'phase' must be one of"),
            (replacing("step", with: 4), "Invalid rollout: 'step' must be a step index below 4"),
            (replacing("stable_version", with: "x"), "Invalid rollout: 'stable_version' must be a positive version"),
            (replacing("candidate_version", with: "3"), "Invalid rollout: 'candidate_version' must differ"),
            (
                replacing("strategy", with: .object([("name", "canary"), ("steps", [50, 5])])),
                "Invalid rollout: 'strategy' is invalid: Canary steps are percentages"
            ),
            (
                replacing("settings", with: .object([("step_timeout_ms", 10)])),
                "Invalid rollout: 'settings' is invalid: The step time-out"
            ),
            (
                replacing("settings", with: .object([("thresholds", .object([("min_agreement", 2)]))])),
                "Invalid rollout: 'settings.thresholds.min_agreement' must be a number from 0.0 to 1.0"
            ),
            (replacing("history", with: [1]), "Invalid rollout: 'history[0]' must be a JSON object"),
            (replacing("created_at", with: "yesterday"), "Invalid rollout: 'created_at' must be an integer"),
        ]
        for (json, prefix) in cases {
            do {
                _ = try Rollout(json: json)
                Issue.record("accepted: \(prefix)")
            } catch {
                #expect(error.code == .invalidParameterValue)
                #expect(error.message.hasPrefix(prefix), "\(error.message)")
            }
        }
    }
}
