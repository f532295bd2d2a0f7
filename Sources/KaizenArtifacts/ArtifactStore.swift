import KaizenCore

/// An entry of an artifact listing.
public struct ArtifactEntry: Sendable, Equatable {
    /// The entry's name within the listed directory.
    public var name: String
    public var isDirectory: Bool
    /// Size in bytes; nil for directories.
    public var size: Int64?

    public init(name: String, isDirectory: Bool, size: Int64?) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
}

/// Where artifacts live. The local filesystem today; object stores implement the same protocol later.
public protocol ArtifactStore: Sendable {
    /// The entries of a directory, sorted by name; empty when it does not exist or is a file.
    func list(_ path: ArtifactPath) throws -> [ArtifactEntry]
    /// The real filesystem path of a file to stream to a client. Throws `RESOURCE_DOES_NOT_EXIST`
    /// when missing and `INVALID_PARAMETER_VALUE` for a directory.
    func fileForReading(_ path: ArtifactPath) throws -> String
    /// A fresh temporary file beside the destination, to write an upload into before `commit`.
    func prepareUpload(_ path: ArtifactPath) throws -> ArtifactUpload
    /// Moves a finished upload into place atomically.
    func commit(_ upload: ArtifactUpload) throws
    /// Removes a half-written upload.
    func abandon(_ upload: ArtifactUpload)
    /// Deletes a file or a directory tree; a missing path is not an error.
    func delete(_ path: ArtifactPath) throws
}

/// An upload in progress: bytes go to `temporaryPath`, then `commit` renames it to `destinationPath`.
public struct ArtifactUpload: Sendable {
    public let temporaryPath: String
    public let destinationPath: String
}
