/// The MT19937 generator as NumPy's legacy `RandomState(seed)` drives it, draw for draw.
///
/// scikit-learn takes its randomness from a `RandomState`, so reproducing one of its seeded procedures (here
/// `StratifiedShuffleSplit(random_state=42)`, which decides whether NannyML calibrates) needs the same stream of
/// 32-bit words and the same ways of turning them into integers, floats and permutations.
public struct MersenneTwister: Sendable {
    private static let stateSize = 624
    private static let shift = 397

    private var state: [UInt32]
    private var position: Int

    /// The generator `numpy.random.RandomState(seed)` starts with (Knuth's initialisation, `init_genrand`).
    public init(seed: UInt32) {
        var state = [UInt32](repeating: 0, count: Self.stateSize)
        state[0] = seed
        for index in 1..<Self.stateSize {
            let previous = state[index - 1]
            state[index] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(index)
        }
        self.state = state
        self.position = Self.stateSize
    }

    /// The next tempered 32-bit word.
    public mutating func nextUInt32() -> UInt32 {
        if position >= Self.stateSize { regenerate() }
        var word = state[position]
        position += 1
        word ^= word >> 11
        word ^= (word << 7) & 0x9D2C_5680
        word ^= (word << 15) & 0xEFC6_0000
        word ^= word >> 18
        return word
    }

    /// Two words as one 64-bit value, the first in the high half (NumPy's legacy `next_uint64`).
    public mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        return high << 32 | UInt64(nextUInt32())
    }

    /// `random_sample()`: a double in [0, 1) from 53 bits of two words.
    public mutating func randomSample() -> Double {
        let high = Double(nextUInt32() >> 5)
        let low = Double(nextUInt32() >> 6)
        return (high * 67_108_864.0 + low) / 9_007_199_254_740_992.0
    }

    /// A uniform integer in 0...maximum by masked rejection (`random_interval`), drawing nothing when `maximum` is 0.
    public mutating func randomInterval(upTo maximum: UInt64) -> UInt64 {
        guard maximum > 0 else { return 0 }
        var mask = maximum
        for shift in [1, 2, 4, 8, 16, 32] as [UInt64] { mask |= mask >> shift }
        if maximum <= UInt64(UInt32.max) {
            while true {
                let value = UInt64(nextUInt32()) & mask
                if value <= maximum { return value }
            }
        }
        while true {
            let value = nextUInt64() & mask
            if value <= maximum { return value }
        }
    }

    /// `randint(low, high)`: a uniform integer in `range`, by the same masked rejection; the range must not be empty.
    public mutating func randomInteger(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "randomInteger(in:) needs a non-empty range")
        let span = UInt64(range.upperBound - range.lowerBound - 1)
        return range.lowerBound + Int(randomInterval(upTo: span))
    }

    /// `shuffle(values)`: Fisher–Yates from the last position down, each swap partner drawn by `randomInterval`.
    public mutating func shuffle<Element>(_ values: inout [Element]) {
        var index = values.count - 1
        while index > 0 {
            let partner = Int(randomInterval(upTo: UInt64(index)))
            values.swapAt(index, partner)
            index -= 1
        }
    }

    /// `permutation(count)`: 0..<count shuffled.
    public mutating func permutation(_ count: Int) -> [Int] {
        var values = Array(0..<max(count, 0))
        shuffle(&values)
        return values
    }

    /// `permutation(values)`: a shuffled copy.
    public mutating func permutation<Element>(of values: [Element]) -> [Element] {
        var copy = values
        shuffle(&copy)
        return copy
    }

    /// `choice(count, size, replace=False)`: the first `size` entries of `permutation(count)`; it consumes the whole
    /// permutation's draws even when fewer are kept, as NumPy does.
    public mutating func choiceWithoutReplacement(from count: Int, size: Int) -> [Int] {
        Array(permutation(count).prefix(size))
    }

    private mutating func regenerate() {
        let upper: UInt32 = 0x8000_0000
        let lower: UInt32 = 0x7FFF_FFFF
        for index in 0..<Self.stateSize {
            let word = (state[index] & upper) | (state[(index + 1) % Self.stateSize] & lower)
            var next = state[(index + Self.shift) % Self.stateSize] ^ (word >> 1)
            if word & 1 != 0 { next ^= 0x9908_B0DF }
            state[index] = next
        }
        position = 0
    }
}
