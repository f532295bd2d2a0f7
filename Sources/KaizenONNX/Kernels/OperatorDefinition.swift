/// An operator Kaizen implements: its domain, name, the opsets it covers and how to build it.
struct OperatorDefinition: Sendable {
    let domain: OperatorDomain
    let name: String
    /// The lowest opset of the domain this implementation covers; earlier versions are refused.
    let since: Int
    /// The first opset of the domain this implementation does not cover, if the operator changed or went away.
    let until: Int?
    let make: KernelFactory

    init(_ domain: OperatorDomain, _ name: String, since: Int = 1, until: Int? = nil, make: @escaping KernelFactory) {
        self.domain = domain
        self.name = name
        self.since = since
        self.until = until
        self.make = make
    }
}
