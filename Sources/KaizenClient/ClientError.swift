/// A failure reported by the tracking server or the network.
public struct ClientError: Error, CustomStringConvertible {
    public var description: String
}
