/// Who is making a change, for the audit trail.
public struct Actor: Sendable, Equatable {
    public var name: String

    public init(_ name: String) {
        self.name = name
    }

    /// A caller that did not say who it is.
    public static let anonymous = Actor("anonymous")
}
