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
        #expect(
            json["settings"]
                == .object([("step_requests", 200), ("step_duration_ms", 60_000), ("step_timeout_ms", 600_000)]))
        #expect(json["history"]?.arrayValue?.count == 2)
        #expect(json["history"]?.arrayValue?.last?["decision"] == "timed_out")
        #expect(json["latest_evaluation"] == nil)
        #expect(json["contract_checks"]?.arrayValue?.first?["name"] == "replicas_loaded")
        let record = try #require(json["history"]?.arrayValue?.first)
        #expect(record["verdict"]?["outcome"] == "pass")
        #expect(record["verdict"]?["checks"]?.arrayValue?.first?["figures"] == .object([("p_value", 0.5)]))
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
