import Testing

@testable import KaizenDeploy

struct AnalysisShadowTests {
    let stable = VersionStats.window(requests: 1000)

    func verdict(compared: UInt64, agreed: UInt64, required: Bool = false) -> StepVerdict {
        StepAnalysis().verdict(
            candidate: .window(requests: 1000, shadowCompared: compared, shadowAgreed: agreed), stable: stable,
            requiringShadowAgreement: required
        )
    }

    @Test func onlyAShadowCandidateIsChecked() {
        #expect(verdict(compared: 0, agreed: 0).check(.shadowAgreement) == nil)
        #expect(verdict(compared: 0, agreed: 0).outcome == .pass)
        let required = verdict(compared: 0, agreed: 0, required: true)
        #expect(required.check(.shadowAgreement)?.outcome == .notYet)
        #expect(required.outcome == .notYet)
        #expect(verdict(compared: 1, agreed: 1).check(.shadowAgreement)?.outcome == .notYet)
    }

    @Test func notYetBelowTheMinimumComparisons() {
        let result = verdict(compared: 199, agreed: 199).check(.shadowAgreement)
        #expect(result?.outcome == .notYet)
        #expect(result?.reason == "not enough data: 199 shadow comparisons, 200 needed")
        #expect(result?.figures == ["compared": 199, "agreed": 199])
    }

    @Test func agreementAtTheMinimumPasses() {
        let atMinimum = verdict(compared: 200, agreed: 180).check(.shadowAgreement)
        #expect(atMinimum?.outcome == .pass)
        #expect(atMinimum?.figures["agreement"] == 0.9)
        #expect(
            atMinimum?.reason
                == "candidate agreed with stable on 90.0% of 200 shadowed requests, at or above the 90.0% minimum"
        )
        let below = verdict(compared: 200, agreed: 179)
        #expect(below.check(.shadowAgreement)?.outcome == .fail)
        #expect(below.outcome == .fail)
        #expect(below.check(.shadowAgreement)?.reason.contains("below the 90.0% minimum") == true)
    }

    @Test func moreAgreementsThanComparisonsCountAsAll() {
        let result = verdict(compared: 300, agreed: 1000).check(.shadowAgreement)
        #expect(result?.figures["agreement"] == 1)
        #expect(result?.outcome == .pass)
    }
}
