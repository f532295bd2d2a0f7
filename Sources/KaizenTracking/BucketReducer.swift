/// Reduces values, in order of x, into a fixed number of slots: each slot's least and greatest x, least and
/// greatest value, and last value.
package struct BucketReducer {
    private var slots: [MetricSeries.Bucket?]

    package init(count: Int) { slots = Array(repeating: nil, count: count) }

    package mutating func add(x: Int64, value: Double, slot: Int) {
        let index = min(max(slot, 0), slots.count - 1)
        if var bucket = slots[index] {
            bucket.upperX = x
            bucket.minimum = min(bucket.minimum, value)
            bucket.maximum = max(bucket.maximum, value)
            bucket.last = value
            bucket.count += 1
            slots[index] = bucket
        } else {
            slots[index] = MetricSeries.Bucket(
                lowerX: x, upperX: x, minimum: value, maximum: value, last: value, count: 1)
        }
    }

    package var buckets: [MetricSeries.Bucket] { slots.compactMap { $0 } }
}

/// Builds a metric's series from its values in order of x, as a store reads them in one pass: raw points while
/// there are at most the request's raw limit, and every value in its bucket, an equal slice of `[lower, upper]`, so
/// that buckets line up from one query to the next. Shared by the stores so that both answer alike.
package struct MetricSeriesBuilder {
    let request: MetricSeriesRequest
    let lower: Int64
    let upper: Int64
    package let width: Double
    var reducer: BucketReducer
    var points: [Metric] = []
    var total: Int64 = 0

    package init(request: MetricSeriesRequest, lower: Int64, upper: Int64) {
        self.request = request
        self.lower = lower
        self.upper = upper
        width = max(Double(upper) - Double(lower) + 1, 1) / Double(request.buckets)
        reducer = BucketReducer(count: request.buckets)
    }

    /// Adds one value at `position` on the request's axis; `partner` is its step or timestamp, the other coordinate.
    package mutating func add(position: Int64, partner: Int64, value stored: Double, isNaN: Bool) {
        total += 1
        let value: Double = isNaN ? .nan : stored
        if total <= request.rawLimit {
            points.append(
                request.axis == .step
                    ? Metric(key: request.key, value: value, timestamp: partner, step: position)
                    : Metric(key: request.key, value: value, timestamp: position, step: partner))
        }
        if !isNaN {
            reducer.add(x: position, value: value, slot: Int((Double(position) - Double(lower)) / width))
        }
    }

    /// The raw points when there are few enough, else the buckets.
    package var series: MetricSeries {
        if total <= request.rawLimit {
            return MetricSeries(lowerX: lower, upperX: upper, total: total, points: points, buckets: [])
        }
        return MetricSeries(lowerX: lower, upperX: upper, total: total, points: [], buckets: reducer.buckets)
    }
}
