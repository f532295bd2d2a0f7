import KaizenCore
import KaizenTracking
import Testing

struct RunNameGeneratorTests {
    @Test func namesHaveThreeParts() throws {
        let seed = try SplitMix64.seed(default: 0x7275_6E5F_6E61_6D65)
        var generator = SplitMix64(seed: seed)
        for _ in 0..<1_000 {
            let name = RunNameGenerator.next(using: &generator)
            let parts = name.split(separator: "-")
            try #require(parts.count == 3, "seed \(seed): '\(name)'")
            #expect(Int(parts[2]).map { (0..<1000).contains($0) } == true, "seed \(seed): '\(name)'")
        }
    }
}
