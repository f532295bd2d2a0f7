public import Foundation
import KaizenCore

/// An OCI image layout on disk (`oci-layout`, `index.json`, `blobs/sha256/<hex>`): where images are built and
/// kept, and the layer cache. Blobs are written whole or not at all and never change once written.
public struct BlobStore: Sendable {
    /// The layout's folder.
    public let root: URL

    /// Opens the layout at `root`, creating its folders and `oci-layout` file when missing.
    public init(root: URL) throws(ImageError) {
        self.root = root
        do {
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("blobs/sha256"), withIntermediateDirectories: true)
            let marker = root.appendingPathComponent("oci-layout")
            if !FileManager.default.fileExists(atPath: marker.path) {
                try Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8).write(to: marker, options: .atomic)
            }
        } catch {
            throw ImageError(.io, "Cannot create the image layout at \(root.path): \(error.localizedDescription)")
        }
    }

    /// The path of the blob with `digest`.
    public func path(of digest: String) throws(ImageError) -> String {
        guard let hex = Digest.hex(digest) else { throw ImageError(.invalidArgument, "Malformed digest \(digest)") }
        return root.appendingPathComponent("blobs/sha256/" + hex).path
    }

    public func contains(_ digest: String) -> Bool {
        guard let path = try? path(of: digest) else { return false }
        return FileManager.default.fileExists(atPath: path)
    }

    /// A path for a new blob whose digest is not known yet; ``adopt(_:as:)`` moves it in place.
    func scratchPath() -> String {
        root.appendingPathComponent("blobs/.building-\(UUID().uuidString)").path
    }

    /// Moves a finished scratch file to its digest's path.
    func adopt(_ scratch: String, as digest: String) throws(ImageError) {
        let target = try path(of: digest)
        guard rename(scratch, target) == 0 else {
            unlink(scratch)
            throw ImageError(.io, "Cannot store blob \(digest): \(String(cString: strerror(errno)))")
        }
    }

    /// Stores `bytes` (a config, a manifest) and returns its descriptor.
    @discardableResult
    public func store(_ bytes: [UInt8], mediaType: String) throws(ImageError) -> Descriptor {
        let digest = Digest.sha256(of: bytes)
        if !contains(digest) {
            let writer = try FileWriter(path: try path(of: digest))
            try writer.append(bytes)
            try writer.commit()
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: Int64(bytes.count))
    }

    /// The bytes of a small blob (a config or a manifest).
    public func read(_ digest: String) throws(ImageError) -> [UInt8] {
        let path = try path(of: digest)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageError(.io, "Blob \(digest) is missing from \(root.path)")
        }
        return Array(data)
    }

    /// Runs `body` holding an exclusive lock on the layout (`flock` on its folder), so that builds into one store
    /// at the same time, each reading `index.json` and writing it back with its own entry, keep each other's.
    public func withIndexLock<T>(_ body: () throws(ImageError) -> T) throws(ImageError) -> T {
        let descriptor = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ImageError(.io, "Cannot open \(root.path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw ImageError(.io, "Cannot lock \(root.path): \(String(cString: strerror(errno)))")
            }
        }
        return try body()
    }

    /// Writes `index.json`: the manifests of the layout, each with its annotations.
    public func writeIndex(_ manifests: [(Descriptor, [(String, String)])]) throws(ImageError) {
        let index = JSONValue.object([
            ("schemaVersion", 2), ("mediaType", "application/vnd.oci.image.index.v1+json"),
            (
                "manifests",
                .array(
                    manifests.map { descriptor, annotations in
                        guard case .object(var fields) = descriptor.json else { return descriptor.json }
                        if !annotations.isEmpty {
                            fields.append(("annotations", .object(annotations.map { ($0, .string($1)) })))
                        }
                        return .object(fields)
                    })
            ),
        ])
        let writer = try FileWriter(path: root.appendingPathComponent("index.json").path)
        try writer.append(index.serialized())
        try writer.commit()
    }

    /// The manifests `index.json` lists, with their annotations; none when there is no index yet.
    public func index() -> [(Descriptor, [String: String])] {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent("index.json").path),
            let index = try? JSONValue(parsing: Array(data))
        else { return [] }
        return (index["manifests"]?.arrayValue ?? []).compactMap { entry in
            guard let mediaType = entry["mediaType"]?.stringValue, let digest = entry["digest"]?.stringValue,
                let size = entry["size"]?.int64Value
            else { return nil }
            var annotations: [String: String] = [:]
            if case .object(let fields)? = entry["annotations"] {
                for (key, value) in fields { annotations[key] = value.stringValue }
            }
            return (Descriptor(mediaType: mediaType, digest: digest, size: size), annotations)
        }
    }
}
