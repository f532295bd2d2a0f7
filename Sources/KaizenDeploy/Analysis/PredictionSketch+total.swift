extension PredictionSketch {
    /// How many predictions the sketch holds, classes and bins together; a `Double`, exact below 2^53, so that
    /// counts from a misbehaving replica cannot overflow.
    var total: Double {
        classes.values.reduce(0) { $0 + Double($1) } + bins.reduce(0) { $0 + Double($1) }
    }
}
