import Foundation
import KaizenCore

/// Where an image goes besides the local store, in the forms that skopeo, podman, umoci and Docker read.
public enum ImageOutputFormat: String, Sendable, CaseIterable {
    /// An OCI image layout folder (`skopeo copy oci:PATH:TAG ...`, `umoci unpack --image PATH:TAG`).
    case oci
    /// An OCI image layout in one tar file (`skopeo copy oci-archive:PATH ...`).
    case ociArchive = "oci-archive"
    /// Docker's `docker save` format (`podman load -i PATH`, `docker load`).
    case dockerArchive = "docker-archive"
}

/// Writes built images out of a ``BlobStore``: into the store's own index, an OCI layout folder, or an archive.
public struct ImageExporter: Sendable {
    public let store: BlobStore
    /// Seconds since 1970 for the entries of archives.
    public var epoch: Int64

    public init(store: BlobStore, epoch: Int64) {
        self.store = store
        self.epoch = epoch
    }

    /// The annotations a layout's index gives a manifest: the full reference, and the tag that `oci:PATH:TAG` names.
    static func annotations(_ reference: ImageReference) -> [(String, String)] {
        [("io.containerd.image.name", reference.description), ("org.opencontainers.image.ref.name", reference.tag)]
    }

    /// Lists `image` in the index of `layout` under `reference`, replacing what the index had under that reference.
    /// The tag moves to `image`: another image listed with the same tag (of another repository) keeps its entry and
    /// full name but loses the tag, so `oci:PATH:TAG` names one image, the last one tagged, as skopeo and umoci need
    /// (skopeo takes the first of several, umoci refuses them as ambiguous).
    /// The index is read and written back under the layout's lock: concurrent builds keep each other's entries.
    static func tag(_ image: BuiltImage, as reference: ImageReference, in layout: BlobStore) throws(ImageError) {
        try layout.withIndexLock { () throws(ImageError) in
            let kept = layout.index().filter { $0.1["io.containerd.image.name"] != reference.description }
            let entries = kept.map { descriptor, annotations in
                var annotations = annotations
                if annotations["org.opencontainers.image.ref.name"] == reference.tag {
                    annotations["org.opencontainers.image.ref.name"] = nil
                }
                return (descriptor, annotations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            }
            try layout.writeIndex(entries + [(image.manifest, annotations(reference))])
        }
    }

    /// Records `image` under `reference` in the store's own index.
    public func tag(_ image: BuiltImage, as reference: ImageReference) throws(ImageError) {
        try Self.tag(image, as: reference, in: store)
    }

    /// Writes `image` to `path` in `format`.
    public func export(
        _ image: BuiltImage, as reference: ImageReference, format: ImageOutputFormat, to path: String
    ) throws(ImageError) {
        switch format {
        case .oci:
            let layout = try BlobStore(root: URL(fileURLWithPath: path))
            for blob in [image.manifest] + image.blobs where !layout.contains(blob.digest) {
                try Self.copy(try store.path(of: blob.digest), to: try layout.path(of: blob.digest))
            }
            try Self.tag(image, as: reference, in: layout)
        case .ociArchive:
            let index = JSONValue.object([
                ("schemaVersion", 2), ("mediaType", "application/vnd.oci.image.index.v1+json"),
                (
                    "manifests",
                    .array([
                        .object(
                            Self.fields(of: image.manifest) + [
                                ("annotations", .object(Self.annotations(reference).map { ($0, .string($1)) }))
                            ])
                    ])
                ),
            ])
            try archive(
                [image.manifest] + image.blobs,
                extra: [
                    .file("oci-layout", contents: #"{"imageLayoutVersion":"1.0.0"}"#),
                    LayerEntry(path: "index.json", kind: .bytes(index.serialized()), mode: 0o644),
                ], to: path)
        case .dockerArchive:
            let manifest = JSONValue.array([
                .object([
                    ("Config", .string(try blobName(image.config))),
                    ("RepoTags", .array([.string(reference.description)])),
                    (
                        "Layers",
                        .array(
                            try image.layers.map { layer throws(ImageError) in .string(try blobName(layer.descriptor)) }
                        )
                    ),
                ])
            ])
            try archive(
                image.blobs,
                extra: [LayerEntry(path: "manifest.json", kind: .bytes(manifest.serialized()), mode: 0o644)],
                to: path)
        }
    }

    func blobName(_ descriptor: Descriptor) throws(ImageError) -> String {
        guard let hex = Digest.hex(descriptor.digest) else {
            throw ImageError(.invalidArgument, "Malformed digest \(descriptor.digest)")
        }
        return "blobs/sha256/" + hex
    }

    static func fields(of descriptor: Descriptor) -> [(String, JSONValue)] {
        guard case .object(let fields) = descriptor.json else { return [] }
        return fields
    }

    /// A tar file (not compressed) with the blobs under `blobs/sha256/` and the extra entries.
    func archive(_ blobs: [Descriptor], extra: [LayerEntry], to path: String) throws(ImageError) {
        var entries = extra
        for blob in blobs {
            entries.append(.file(try blobName(blob), from: try store.path(of: blob.digest)))
        }
        let output = try FileWriter(path: path)
        try TarStream(epoch: epoch).write(try LayerContents(entries)) { (bytes) throws(ImageError) in
            try output.append(bytes)
        }
        try output.commit()
    }

    /// Hard-links `source` at `target`, or copies it when they are on different file systems.
    static func copy(_ source: String, to target: String) throws(ImageError) {
        if link(source, target) == 0 || errno == EEXIST { return }
        let reader = try FileReader(path: source)
        let writer = try FileWriter(path: target)
        try reader.forEachChunk { (chunk) throws(ImageError) in try writer.append(chunk) }
        try writer.commit()
    }
}
