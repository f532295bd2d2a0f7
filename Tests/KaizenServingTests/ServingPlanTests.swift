import Foundation
import KaizenONNX
import Testing

@testable import KaizenServing

/// Routing an endpoint's requests between versions: shares, stickiness by key, shadow copies.
struct ServingPlanTests {
    /// A model whose engine is never run: routing looks only at names and versions.
    static func model(_ version: String) throws -> ScoringModel {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx/parity/rf_reg/model.onnx")
        return ScoringModel(engine: try ONNXModel(contentsOf: fixture), signature: nil, name: "m", version: version)
    }

    static let available = FileManager.default.fileExists(
        atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx/parity/rf_reg/model.onnx").path)

    @Test(.enabled(if: available, "needs .fixtures/onnx: run make onnx-fixtures"))
    func sharesFollowTheWeightsAndKeysStick() throws {
        let plan = ServingPlan(
            traffic: [.init(model: try Self.model("1"), percent: 90), .init(model: try Self.model("2"), percent: 10)],
            shadow: [], revision: 4)
        #expect(plan.primary.version == "1")
        var counts: [String: Int] = [:]
        for index in 0..<20_000 { counts[plan.route("user-\(index)").version ?? "", default: 0] += 1 }
        // 10% of 20,000 keys: a binomial standard deviation of about 42, so ±300 is far outside chance.
        #expect(abs((counts["2"] ?? 0) - 2_000) < 300, "\(counts)")
        for index in 0..<200 {
            let key = "sticky-\(index)"
            let first = plan.route(key).version
            #expect((0..<5).allSatisfy { _ in plan.route(key).version == first })
        }
        var random: [String: Int] = [:]
        for _ in 0..<20_000 { random[plan.route(nil).version ?? "", default: 0] += 1 }
        #expect(abs((random["2"] ?? 0) - 2_000) < 300, "\(random)")
    }

    @Test(.enabled(if: available, "needs .fixtures/onnx: run make onnx-fixtures"))
    func shadowsGetTheirShareAndVersionsAreFound() throws {
        let plan = ServingPlan(
            traffic: [.init(model: try Self.model("1"), percent: 100)],
            shadow: [.init(model: try Self.model("3"), percent: 25)], revision: 2)
        var copies = 0
        for index in 0..<10_000 { copies += plan.shadows("k\(index)").count }
        #expect(abs(copies - 2_500) < 250)
        #expect((0..<1_000).allSatisfy { plan.route("k\($0)").version == "1" })
        #expect(plan.model(version: "3")?.version == "3")
        #expect(plan.model(version: "9") == nil)
        #expect(plan.models.map(\.version) == ["1", "3"])
    }

    @Test func anEmptySlotIsNotReady() {
        let slot = ModelSlot()
        #expect(slot.plan == nil)
        #expect(throws: ServingError.self) { try slot.require() }
    }
}
