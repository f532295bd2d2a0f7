/// The right-hand side of a comparison.
public enum FilterValue: Sendable, Equatable {
    case number(Double)
    case string(String)
    case list([String])
    case none
}
