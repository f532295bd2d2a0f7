import Testing

@testable import KaizenMonitoring

/// The generator against NumPy's legacy `RandomState(42)`.
struct MersenneTwisterTests {
    @Test func wordsMatchNumPy() {
        var generator = MersenneTwister(seed: 42)
        #expect((0..<3).map { _ in generator.nextUInt32() } == NannyMLVectors.firstWords)
    }

    @Test func randomSampleMatchesNumPy() {
        var generator = MersenneTwister(seed: 42)
        #expect((0..<3).map { _ in generator.randomSample() } == NannyMLVectors.firstSamples)
    }

    @Test func randomIntegerMatchesRandint() {
        var generator = MersenneTwister(seed: 42)
        #expect((0..<5).map { _ in generator.randomInteger(in: 0..<10) } == NannyMLVectors.firstIntegersBelow10)
    }

    @Test func permutationMatchesNumPy() {
        var generator = MersenneTwister(seed: 42)
        #expect(generator.permutation(10) == NannyMLVectors.firstPermutationOf10)
    }

    @Test func intervalOfZeroDrawsNothing() {
        var drawn = MersenneTwister(seed: 7)
        var untouched = MersenneTwister(seed: 7)
        #expect(drawn.randomInterval(upTo: 0) == 0)
        #expect(drawn.nextUInt32() == untouched.nextUInt32())
    }
}
