import Foundation

/// SplitMix64, a small deterministic generator for reproducible pseudo-random cases (the tests' random inputs).
///
/// A test takes its seed from `SplitMix64.seed(default:)` and names it in its failure messages, so that a failure is
/// replayed with `KAIZEN_TEST_SEED=<seed> swift test --filter <test>`.
package struct SplitMix64: RandomNumberGenerator {
    package private(set) var state: UInt64

    package init(seed: UInt64) {
        state = seed
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed to use: `KAIZEN_TEST_SEED` when it is set (decimal, or hexadecimal after `0x`), else `fallback`.
    /// Throws when the variable is set to something that is not an unsigned 64-bit integer.
    package static func seed(default fallback: UInt64) throws(KaizenError) -> UInt64 {
        guard let text = ProcessInfo.processInfo.environment["KAIZEN_TEST_SEED"], !text.isEmpty else {
            return fallback
        }
        let seed = text.lowercased().hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
        guard let seed else {
            throw KaizenError.invalidParameter("KAIZEN_TEST_SEED must be an unsigned 64-bit integer, got '\(text)'")
        }
        return seed
    }
}
