public import KaizenCore

/// scikit-learn's `StratifiedShuffleSplit` with an integer `random_state`: the same train and test indices, split for
/// split.
///
/// Each split draws per-class train and test counts with `_approximate_mode` (largest remainders first, ties broken
/// by a random choice), permutes each class's rows, takes train then test rows from the front, and finally permutes
/// the train and the test lists; every draw comes from one `MersenneTwister` seeded once for all splits.
public struct StratifiedShuffleSplit: Sendable {
    /// How many splits to make.
    public var splitCount: Int
    /// The test share of the rows; the test set has ⌈share · n⌉ rows.
    public var testShare: Double
    /// The seed of the generator.
    public var seed: UInt32

    /// A splitter; NannyML's calibration check uses `StratifiedShuffleSplit(splitCount: 10, testShare: 0.1,
    /// seed: 42)`.
    public init(splitCount: Int, testShare: Double, seed: UInt32) {
        self.splitCount = splitCount
        self.testShare = testShare
        self.seed = seed
    }

    /// One split: row indices for training and for testing, each in the order scikit-learn yields them.
    public struct Split: Sendable, Hashable {
        public var train: [Int]
        public var test: [Int]
    }

    /// The splits of rows labelled `labels`; fails as scikit-learn fails, when a class has fewer than 2 rows or
    /// either side would hold fewer rows than there are classes.
    public func splits(of labels: [Int]) throws(KaizenError) -> [Split] {
        let rowCount = labels.count
        let testCount = Int((testShare * Double(rowCount)).rounded(.up))
        let trainCount = rowCount - testCount
        guard testShare > 0, testShare < 1, trainCount > 0, testCount > 0 else {
            throw KaizenError.invalidParameter("cannot split \(rowCount) rows with a test share of \(testShare)")
        }
        // Rows of each class in ascending order (a stable sort of the class codes, as scikit-learn does).
        let classes = Array(Set(labels)).sorted()
        let code = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        var rowsOfClass = [[Int]](repeating: [], count: classes.count)
        for (row, label) in labels.enumerated() {
            if let index = code[label] { rowsOfClass[index].append(row) }
        }
        let classCounts = rowsOfClass.map(\.count)
        if let smallest = classCounts.min(), smallest < 2 {
            throw KaizenError.invalidParameter(
                "a class has only \(smallest) row; stratified splitting needs at least 2 per class")
        }
        guard trainCount >= classes.count, testCount >= classes.count else {
            throw KaizenError.invalidParameter("\(rowCount) rows are too few to split \(classes.count) classes")
        }

        var generator = MersenneTwister(seed: seed)
        var result: [Split] = []
        for _ in 0..<splitCount {
            let trainPerClass = Self.approximateMode(classCounts, draws: trainCount, generator: &generator)
            let remaining = zip(classCounts, trainPerClass).map { $0 - $1 }
            let testPerClass = Self.approximateMode(remaining, draws: testCount, generator: &generator)
            var train: [Int] = []
            var test: [Int] = []
            for (index, rows) in rowsOfClass.enumerated() {
                let order = generator.permutation(rows.count)
                let permuted = order.map { rows[$0] }
                train += permuted[0..<trainPerClass[index]]
                test += permuted[trainPerClass[index]..<(trainPerClass[index] + testPerClass[index])]
            }
            result.append(Split(train: generator.permutation(of: train), test: generator.permutation(of: test)))
        }
        return result
    }

    /// scikit-learn's `_approximate_mode`: the most likely per-class counts of `draws` rows drawn without
    /// replacement from classes of `counts` rows.
    ///
    /// Floors of the expected counts first; the rows still owed go to classes in descending order of remainder, and
    /// among equal remainders to a random choice (`choice(..., replace=False)`, a full permutation's draws).
    package static func approximateMode(
        _ counts: [Int], draws: Int, generator: inout MersenneTwister
    ) -> [Int] {
        let total = Double(counts.reduce(0, +))
        let continuous = counts.map { Double($0) / total * Double(draws) }
        var floored = continuous.map { $0.rounded(.down) }
        var owed = Int(Double(draws) - NumPyArithmetic.sum(floored))
        guard owed > 0 else { return floored.map { Int($0) } }
        let remainders = zip(continuous, floored).map { $0 - $1 }
        for value in Set(remainders).sorted(by: >) {
            let tied = remainders.indices.filter { remainders[$0] == value }
            let take = min(tied.count, owed)
            for choice in generator.choiceWithoutReplacement(from: tied.count, size: take) {
                floored[tied[choice]] += 1
            }
            owed -= take
            if owed == 0 { break }
        }
        return floored.map { Int($0) }
    }
}
