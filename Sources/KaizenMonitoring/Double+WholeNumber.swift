extension Double {
    /// The value as an integer when it is a whole number below 10^15 in magnitude, which is written `1`, not `1.0`
    /// (as pandas prints the labels of an integer column).
    package var wholeNumber: Int64? { self == rounded() && abs(self) < 1e15 ? Int64(self) : nil }

    /// The value as a label: a whole number without a fraction, any other number as Swift writes it.
    package var labelText: String { wholeNumber.map { String($0) } ?? String(self) }
}
