import Crypto
import Foundation
import KaizenCore

/// Remembers the layer built from a set of entries, keyed by a fingerprint of the entries and of each source file:
/// its identity (size, change time, inode), so a rebuild with unchanged inputs reuses the blob without reading them,
/// or, for files that are new copies each time (a model downloaded into a fresh folder), its content's SHA-256,
/// which is still many times cheaper than compressing it again.
struct LayerCache {
    let store: BlobStore

    var folder: URL { store.root.appendingPathComponent("kaizen-layers") }

    /// The fingerprint of a layer's inputs, or nil when a source cannot be examined (the layer is then built).
    func fingerprint(_ contents: LayerContents, writer: LayerWriter, byContent: Bool = false) -> String? {
        var hash = Crypto.SHA256()
        func add(_ text: String) { hash.update(data: Array((text + "\n").utf8)) }
        add("kaizen-layer-1 epoch=\(writer.epoch) level=\(writer.level)")
        for entry in contents.entries {
            add("\(entry.path) \(entry.mode) \(entry.uid) \(entry.gid)")
            switch entry.kind {
            case .directory: add("d")
            case .symlink(let target): add("l \(target)")
            case .bytes(let bytes): add("b " + Digest.sha256(of: bytes))
            case .file(let source) where byContent:
                guard let reader = try? FileReader(path: source) else { return nil }
                var content = Crypto.SHA256()
                do {
                    try reader.forEachChunk { (chunk) throws(ImageError) in content.update(bufferPointer: chunk) }
                } catch {
                    return nil
                }
                add("c \(reader.size) " + Digest.sha256(content.finalize()))
            case .file(let source):
                var status = stat()
                guard lstat(source, &status) == 0 else { return nil }
                add(
                    "f \(source) \(status.st_size) \(status.st_ino) \(status.st_dev) "
                        + "\(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec)"
                )
            }
        }
        return Digest.sha256(hash.finalize())
    }

    /// The cached layer for `fingerprint`, if its blob is still in the store.
    func layer(for fingerprint: String) -> Layer? {
        guard let hex = Digest.hex(fingerprint),
            let data = FileManager.default.contents(atPath: folder.appendingPathComponent(hex + ".json").path),
            let record = try? JSONValue(parsing: Array(data)),
            let digest = record["digest"]?.stringValue, let size = record["size"]?.int64Value,
            let diffID = record["diff_id"]?.stringValue, store.contains(digest)
        else { return nil }
        return Layer(
            descriptor: Descriptor(mediaType: LayerWriter.mediaType, digest: digest, size: size), diffID: diffID)
    }

    /// Records `layer` under `fingerprint`; a failure only costs a rebuild next time.
    func remember(_ layer: Layer, for fingerprint: String) {
        guard let hex = Digest.hex(fingerprint) else { return }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let record = JSONValue.object([
            ("digest", .string(layer.descriptor.digest)), ("size", .integer(layer.descriptor.size)),
            ("diff_id", .string(layer.diffID)),
        ])
        guard let writer = try? FileWriter(path: folder.appendingPathComponent(hex + ".json").path) else { return }
        try? writer.append(record.serialized())
        try? writer.commit()
    }
}
