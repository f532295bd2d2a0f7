import Testing

@testable import KaizenDeploy

struct StepVerdictTests {
    func check(_ outcome: VerdictOutcome) -> CheckResult {
        CheckResult(name: "c", outcome: outcome, figures: [:], reason: "")
    }

    @Test func aFailWinsAndAllPassesPass() {
        #expect(StepVerdict(checks: [check(.pass), check(.fail), check(.notYet)]).outcome == .fail)
        #expect(StepVerdict(checks: [check(.pass), check(.pass)]).outcome == .pass)
        #expect(StepVerdict(checks: [check(.pass), check(.notYet)]).outcome == .notYet)
        #expect(StepVerdict(checks: []).outcome == .notYet)
    }
}
