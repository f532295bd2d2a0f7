/// A model in a library's own format that Kaizen cannot load: malformed, hostile, or using a feature Kaizen does not
/// implement. The message names the file's part at fault.
public struct FlavorError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
