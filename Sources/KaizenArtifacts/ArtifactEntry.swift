/// An entry of an artifact listing.
public struct ArtifactEntry: Sendable, Equatable {
    /// The entry's name within the listed directory.
    public var name: String
    /// Whether the entry is a directory.
    public var isDirectory: Bool
    /// Size in bytes; nil for directories.
    public var size: Int64?

    /// An entry named `name`; `size` is nil for a directory.
    public init(name: String, isDirectory: Bool, size: Int64?) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
}
