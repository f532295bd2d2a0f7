import KaizenCore
public import KaizenDeploy
import KaizenONNX
public import KaizenServing
import Synchronization

/// What an endpoint replica saw per version since its last report: requests, errors, latency, a sketch of the
/// predictions and shadow agreement, kept as additive counts (``VersionStats``) that the control plane merges over
/// replicas.
public final class ReplicaStats: Sendable {
    let current = Mutex<[Int64: VersionStats]>([:])

    public init() {}

    /// Counts one scoring request answered by `model` with `status` after `duration`.
    public func request(_ model: ScoringModel?, status: Int, duration: Duration) {
        guard let version = model?.version.flatMap({ Int64($0) }) else { return }
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let bucket = VersionStats.latencyBounds.firstIndex { seconds <= $0 } ?? VersionStats.latencyBounds.count
        current.withLock { all in
            var stats = all[version] ?? VersionStats()
            stats.requests += 1
            if (400..<500).contains(status) { stats.clientErrors += 1 }
            if status >= 500 { stats.serverErrors += 1 }
            stats.latency[bucket] += 1
            all[version] = stats
        }
    }

    /// Adds a prediction's first output to its version's sketch: labels (integers, strings, booleans) as class
    /// counts, one number per row as the fixed-bin histogram. Wider or map outputs are not summarized.
    public func predictions(_ prediction: Prediction) {
        guard let version = prediction.model.version.flatMap({ Int64($0) }), let first = prediction.outputs.first,
            case .tensor(let tensor) = first.1, tensor.rank >= 1, tensor.shape[0] == prediction.rows,
            tensor.shape.dropFirst().reduce(1, *) == 1
        else { return }
        var sketch = PredictionSketch()
        switch tensor.storage {
        case .int64(let values): for value in values { sketch.classes[String(value), default: 0] += 1 }
        case .int32(let values): for value in values { sketch.classes[String(value), default: 0] += 1 }
        case .string(let values): for value in values { sketch.classes[value, default: 0] += 1 }
        case .bool(let values): for value in values { sketch.classes[String(value), default: 0] += 1 }
        case .float(let values): sketch.bins = Self.histogram(values.lazy.map(Double.init))
        case .double(let values): sketch.bins = Self.histogram(values)
        }
        current.withLock { all in
            var stats = all[version] ?? VersionStats()
            stats.predictions.add(sketch)
            all[version] = stats
        }
    }

    /// Counts one request copy scored by a shadow version: a request of that version, and its agreement with the
    /// answer the caller got.
    public func shadow(
        _ model: ScoringModel, _ result: Result<(compared: Int, agreed: Int), ServingError>, duration: Duration
    ) {
        guard let version = model.version.flatMap({ Int64($0) }) else { return }
        if case .success(let counts) = result {
            current.withLock { all in
                var stats = all[version] ?? VersionStats()
                stats.shadowCompared += UInt64(counts.compared)
                stats.shadowAgreed += UInt64(counts.agreed)
                all[version] = stats
            }
        }
        let status: Int
        switch result {
        case .success: status = 200
        case .failure(let error): status = error.status
        }
        request(model, status: status, duration: duration)
    }

    /// The counts since the last call, which start again from zero.
    public func take() -> [Int64: VersionStats] {
        current.withLock { all in
            defer { all = [:] }
            return all
        }
    }

    static func histogram(_ values: some Sequence<Double>) -> [UInt64] {
        let edges = PredictionSketch.edges
        var bins = [UInt64](repeating: 0, count: edges.count + 1)
        for value in values where !value.isNaN {
            // The first edge above the value; the number of edges at or below it is the bin.
            var low = 0
            var high = edges.count
            while low < high {
                let middle = (low + high) / 2
                if edges[middle] <= value { low = middle + 1 } else { high = middle }
            }
            bins[low] += 1
        }
        return bins
    }
}
