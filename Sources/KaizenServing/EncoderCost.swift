/// What one encoder call costs, as measured on the model at load: a part per call (the graph's fixed work), a part
/// per token (the dense layers) and a part per pair of tokens of a text (attention), in seconds. A call pads its texts
/// to the longest, so texts sorted by length are cut into the calls that cost least in all: a small model's call
/// costs little beside a text's padding, a large model's texts of near lengths still share a call.
struct EncoderCost: Sendable, Equatable {
    var perCall: Double
    var perToken: Double
    var perTokenPair: Double

    /// No measure: every call costs the same, so texts go in as few calls as they fit.
    static let flat = EncoderCost(perCall: 1, perToken: 0, perTokenPair: 0)

    /// One call on `texts` texts padded to `length` tokens.
    func call(texts: Int, length: Int) -> Double {
        let tokens = Double(length)
        return perCall + Double(texts) * (perToken * tokens + perTokenPair * tokens * tokens)
    }

    /// `lengths` (ascending) cut into consecutive calls of at most `maximumTexts` texts, each padded to its last
    /// length, that cost least in all; of calls that cost the same, the fewest.
    func calls(sortedLengths lengths: [Int], maximumTexts: Int) -> [Range<Int>] {
        guard !lengths.isEmpty else { return [] }
        // best[end]: the least cost of the first `end` texts; start[end]: where its last call begins.
        var best = [Double](repeating: .infinity, count: lengths.count + 1)
        var start = [Int](repeating: 0, count: lengths.count + 1)
        best[0] = 0
        for end in 1...lengths.count {
            for first in max(0, end - max(1, maximumTexts))..<end {
                let total = best[first] + call(texts: end - first, length: lengths[end - 1])
                if total < best[end] {
                    best[end] = total
                    start[end] = first
                }
            }
        }
        var calls: [Range<Int>] = []
        var end = lengths.count
        while end > 0 {
            calls.append(start[end]..<end)
            end = start[end]
        }
        return calls.reversed()
    }

    /// The cost through `samples`, one-text calls at three lengths or fewer: a parabola through three, else (or when
    /// the measures are too noisy for one, with a negative part) the line that fits them best, never below zero.
    static func fit(_ samples: [(length: Int, seconds: Double)]) -> EncoderCost {
        let points = samples.map { (x: Double($0.length), y: $0.seconds) }
        guard let first = points.first else { return .flat }
        if points.count == 3, Set(points.map(\.x)).count == 3 {
            let (p, q, r) = (points[0], points[1], points[2])
            // Divided differences: y = c + a·x + b·x².
            let slopePQ = (q.y - p.y) / (q.x - p.x)
            let slopeQR = (r.y - q.y) / (r.x - q.x)
            let b = (slopeQR - slopePQ) / (r.x - p.x)
            let a = slopePQ - b * (p.x + q.x)
            let c = p.y - a * p.x - b * p.x * p.x
            if a >= 0, b >= 0, c >= 0 { return EncoderCost(perCall: c, perToken: a, perTokenPair: b) }
        }
        let meanX = points.map(\.x).reduce(0, +) / Double(points.count)
        let meanY = points.map(\.y).reduce(0, +) / Double(points.count)
        let spread = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        guard spread > 0 else { return EncoderCost(perCall: max(first.y, 0), perToken: 0, perTokenPair: 0) }
        let slope = max(0, points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +) / spread)
        return EncoderCost(perCall: max(0, meanY - slope * meanX), perToken: slope, perTokenPair: 0)
    }
}
