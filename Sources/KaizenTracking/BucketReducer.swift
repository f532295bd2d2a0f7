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
