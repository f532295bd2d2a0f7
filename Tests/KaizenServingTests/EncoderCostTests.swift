import Testing

@testable import KaizenServing

/// A request's texts are cut into the encoder calls that cost least, by the cost measured at load.
struct EncoderCostTests {
    /// The sentiment model's figures on this kind of machine: 28 µs a call, 2.3 µs a token, 0.01 µs a token pair.
    let small = EncoderCost(perCall: 28e-6, perToken: 2.3e-6, perTokenPair: 0.0107e-6)

    @Test func textsOfNearLengthsShareACallAndFarOnesDoNot() {
        // Padding 10 tokens to 90 costs far more than a call.
        #expect(small.calls(sortedLengths: [10, 11, 90, 95], maximumTexts: 32) == [0..<2, 2..<4])
        // A token of padding costs less than a call.
        #expect(small.calls(sortedLengths: [40, 41, 42, 43], maximumTexts: 32) == [0..<4])
        #expect(small.calls(sortedLengths: [], maximumTexts: 32) == [])
        #expect(small.calls(sortedLengths: [7], maximumTexts: 32) == [0..<1])
    }

    @Test func theCutIsTheCheapestOfAllCuts() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let lengths = (0..<Int.random(in: 1...8, using: &generator)).map { _ in
                Int.random(in: 3...128, using: &generator)
            }.sorted()
            let chosen = small.calls(sortedLengths: lengths, maximumTexts: 4)
            #expect(chosen.allSatisfy { $0.count <= 4 })
            #expect(chosen.map(\.count).reduce(0, +) == lengths.count)
            let total = { (calls: [Range<Int>]) in
                calls.map { small.call(texts: $0.count, length: lengths[$0.upperBound - 1]) }.reduce(0, +)
            }
            // Every way of cutting the sorted texts into consecutive calls of at most 4: none is cheaper.
            var cheapest = Double.infinity
            for cuts in 0..<(1 << (lengths.count - 1)) {
                var calls: [Range<Int>] = []
                var start = 0
                for index in 1...lengths.count where index == lengths.count || cuts & (1 << (index - 1)) != 0 {
                    calls.append(start..<index)
                    start = index
                }
                if calls.allSatisfy({ $0.count <= 4 }) { cheapest = min(cheapest, total(calls)) }
            }
            #expect(total(chosen) <= cheapest * (1 + 1e-12))
        }
    }

    @Test func aFlatCostFillsCallsToTheirLimit() {
        let calls = EncoderCost.flat.calls(sortedLengths: Array(1...70), maximumTexts: 32)
        #expect(calls.count == 3 && calls.allSatisfy { $0.count <= 32 })
        let free = EncoderCost(perCall: 0, perToken: 0, perTokenPair: 0)
        #expect(free.calls(sortedLengths: [5, 100], maximumTexts: 32) == [0..<2])
    }

    @Test func theFitPassesThroughThreeMeasures() {
        let measured = [8, 64, 128].map { (length: $0, seconds: small.call(texts: 1, length: $0)) }
        let fitted = EncoderCost.fit(measured)
        #expect(abs(fitted.perCall - small.perCall) < 1e-12)
        #expect(abs(fitted.perToken - small.perToken) < 1e-12)
        #expect(abs(fitted.perTokenPair - small.perTokenPair) < 1e-15)
    }

    @Test func noisyMeasuresFitALineThatIsNeverNegative() {
        // A bent-down curve (the longest call measured fast) has no parabola with parts above zero.
        let bent = EncoderCost.fit([(8, 50e-6), (64, 200e-6), (128, 210e-6)])
        #expect(bent.perTokenPair == 0)
        #expect(bent.perToken > 0 && bent.perCall > 0)
        // Longer calls measured faster: no part per token.
        let falling = EncoderCost.fit([(8, 90e-6), (64, 80e-6), (128, 70e-6)])
        #expect(falling.perToken == 0 && falling.perTokenPair == 0 && abs(falling.perCall - 80e-6) < 1e-15)
        #expect(EncoderCost.fit([]) == .flat)
        #expect(EncoderCost.fit([(8, 5e-6)]) == EncoderCost(perCall: 5e-6, perToken: 0, perTokenPair: 0))
    }
}
