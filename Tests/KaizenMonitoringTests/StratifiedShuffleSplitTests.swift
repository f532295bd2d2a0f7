import KaizenCore
import Testing

@testable import KaizenMonitoring

/// Splits against scikit-learn's `StratifiedShuffleSplit(10, test_size=0.1, random_state=42)`, index for index.
struct StratifiedShuffleSplitTests {
    static let cases: [(String, NannyMLVectors.SplitCase)] = [
        ("binary imbalanced", NannyMLVectors.binaryImbalanced),
        ("three classes", NannyMLVectors.threeClasses),
        ("equal remainders", NannyMLVectors.equalRemainders),
    ]

    @Test(arguments: cases)
    func splitsMatchScikitLearn(_ name: String, _ testCase: NannyMLVectors.SplitCase) throws {
        let splits = try StratifiedShuffleSplit(splitCount: 10, testShare: 0.1, seed: 42).splits(of: testCase.labels)
        #expect(splits.map(\.train) == testCase.train, "\(name)")
        #expect(splits.map(\.test) == testCase.test, "\(name)")
    }

    @Test func testSizeRoundsUp() throws {
        // ⌈0.1 · 25⌉ = 3 test rows, 22 train rows, together every row once.
        let labels = Array(repeating: 0, count: 15) + Array(repeating: 1, count: 10)
        let splitter = StratifiedShuffleSplit(splitCount: 1, testShare: 0.1, seed: 42)
        let split = try #require(try splitter.splits(of: labels).first)
        #expect(split.test.count == 3)
        #expect(split.train.count == 22)
        #expect(Set(split.train + split.test) == Set(0..<25))
    }

    @Test func classWithOneRowIsRefused() {
        #expect(throws: KaizenError.self) {
            try StratifiedShuffleSplit(splitCount: 10, testShare: 0.1, seed: 42).splits(of: [0, 0, 0, 0, 1])
        }
    }

    @Test func approximateModeGivesLargestRemaindersFirst() {
        var generator = MersenneTwister(seed: 0)
        // 7/10 · 5 = 3.5 and 3/10 · 5 = 1.5: equal remainders, one row owed, drawn at random but always 5 in all.
        let counts = StratifiedShuffleSplit.approximateMode([7, 3], draws: 5, generator: &generator)
        #expect(counts.reduce(0, +) == 5)
        #expect(counts == [4, 1] || counts == [3, 2])
        // 6/9 · 4 = 2.67 and 3/9 · 4 = 1.33: the larger remainder gets the owed row without a draw.
        #expect(StratifiedShuffleSplit.approximateMode([6, 3], draws: 4, generator: &generator) == [3, 1])
    }
}
