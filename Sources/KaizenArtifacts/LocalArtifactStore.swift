import Foundation
import KaizenCore

/// Artifacts as files under one root folder. Every access resolves symlinks and refuses any path whose
/// real location is outside the root, so a symlink planted in the tree cannot be used to escape it.
public struct LocalArtifactStore: ArtifactStore {
    /// The real (symlink-free) path of the root folder.
    public let root: String

    /// Uses `root` as the artifact root, creating it if needed.
    public init(root: String) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        guard let real = Self.realPath(root) else {
            throw KaizenError(.internalError, "Cannot resolve artifact root \(root)")
        }
        self.root = real
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    func isInsideRoot(_ real: String) -> Bool {
        real == root || real.hasPrefix(root.hasSuffix("/") ? root : root + "/")
    }

    func joined(_ path: ArtifactPath) -> String {
        path.isRoot ? root : root + "/" + path.description
    }

    /// The real path of an existing entry, refused when it resolves outside the root.
    func resolveExisting(_ path: ArtifactPath) throws(KaizenError) -> String? {
        let candidate = joined(path)
        guard let real = Self.realPath(candidate) else { return nil }
        guard isInsideRoot(real) else { throw ArtifactPath.invalid }
        return real
    }

    public func list(_ path: ArtifactPath) throws -> [ArtifactEntry] {
        guard let directory = try resolveExisting(path) else { return [] }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        var entries: [ArtifactEntry] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        where !name.hasPrefix(".kaizen-upload-") {
            guard let real = Self.realPath(directory + "/" + name), isInsideRoot(real) else { continue }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDir) else { continue }
            let size =
                isDir.boolValue
                ? nil : (try? FileManager.default.attributesOfItem(atPath: real)[.size] as? NSNumber)?.int64Value
            entries.append(ArtifactEntry(name: name, isDirectory: isDir.boolValue, size: size))
        }
        return entries
    }

    public func fileForReading(_ path: ArtifactPath) throws -> String {
        guard !path.isRoot, let real = try resolveExisting(path) else {
            throw KaizenError.notFound("No such artifact: '\(path)'")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory) else {
            throw KaizenError.notFound("No such artifact: '\(path)'")
        }
        if isDirectory.boolValue { throw KaizenError.invalidParameter("Artifact path refers to a directory") }
        return real
    }

    public func prepareUpload(_ path: ArtifactPath) throws -> ArtifactUpload {
        guard !path.isRoot else { throw ArtifactPath.invalid }
        // Walk the parent folders from the root: existing ones must resolve inside the root (no symlink
        // out), missing ones are created as real folders.
        var current = root
        for segment in path.segments.dropLast() {
            let next = current + "/" + segment
            if let real = Self.realPath(next) {
                guard isInsideRoot(real) else { throw ArtifactPath.invalid }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue
                else { throw KaizenError.invalidParameter("Artifact path '\(path)' crosses a file") }
                current = real
            } else {
                try FileManager.default.createDirectory(atPath: next, withIntermediateDirectories: false)
                guard let real = Self.realPath(next), isInsideRoot(real) else { throw ArtifactPath.invalid }
                current = real
            }
        }
        let destination = current + "/" + path.name
        if let real = Self.realPath(destination) {
            guard isInsideRoot(real) else { throw ArtifactPath.invalid }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), isDirectory.boolValue {
                throw KaizenError.invalidParameter("Artifact path refers to a directory")
            }
        }
        let temporary = current + "/.kaizen-upload-" + randomHexID()
        return ArtifactUpload(temporaryPath: temporary, destinationPath: destination)
    }

    public func commit(_ upload: ArtifactUpload) throws {
        // rename(2) replaces a symlink at the destination rather than writing through it.
        guard rename(upload.temporaryPath, upload.destinationPath) == 0 else {
            abandon(upload)
            throw KaizenError(.internalError, "Could not store artifact (errno \(errno))")
        }
    }

    public func abandon(_ upload: ArtifactUpload) {
        unlink(upload.temporaryPath)
    }

    public func delete(_ path: ArtifactPath) throws {
        guard !path.isRoot else { throw KaizenError.invalidParameter("Refusing to delete the artifact root") }
        let candidate = joined(path)
        // The entry itself may be a symlink (removing the link is safe); its parent must resolve inside.
        guard let parent = Self.realPath((candidate as NSString).deletingLastPathComponent) else { return }
        guard isInsideRoot(parent) else { throw ArtifactPath.invalid }
        let target = parent + "/" + path.name
        guard (try? FileManager.default.attributesOfItem(atPath: target)) != nil else { return }
        try FileManager.default.removeItem(atPath: target)
    }
}
