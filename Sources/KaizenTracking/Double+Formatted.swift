extension Double {
    /// The shortest text that reads back as this number, without a trailing `.0` for integers.
    var formatted: String {
        if self == rounded(), abs(self) < 1e15 { return String(Int64(self)) }
        return description
    }
}
