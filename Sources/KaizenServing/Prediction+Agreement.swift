extension Prediction {
    /// How many rows this prediction and `other` (the same request scored by another version) agree on: rows whose
    /// first output (the label of a classifier, the value of a regressor) is the same. Outputs of other names or
    /// row counts agree on nothing.
    public func agreement(with other: Prediction) -> (compared: Int, agreed: Int) {
        guard let mine = outputs.first, let theirs = other.outputs.first, mine.0 == theirs.0, rows == other.rows
        else { return (rows, 0) }
        var agreed = 0
        for row in 0..<rows
        where PredictionEncoder.record(row, of: [mine], rows: rows)
            == PredictionEncoder.record(row, of: [theirs], rows: rows)
        {
            agreed += 1
        }
        return (rows, agreed)
    }
}
