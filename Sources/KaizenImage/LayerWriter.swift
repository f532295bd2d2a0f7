import Crypto
import Foundation
import KaizenCore

/// A layer as an image refers to it: the compressed blob's descriptor and the digest of the uncompressed tar.
public struct Layer: Sendable, Equatable {
    /// The gzip-compressed tar: media type, `sha256:` digest and size.
    public var descriptor: Descriptor
    /// The `sha256:` digest of the uncompressed tar, which the image config lists.
    public var diffID: String
}

/// Writes a layer blob in one pass: tar stream → SHA-256 (the diff id) → gzip → SHA-256 (the digest) → file.
/// File contents are read in chunks, so a layer of any size needs a few megabytes of memory.
struct LayerWriter {
    static let mediaType = "application/vnd.oci.image.layer.v1.tar+gzip"

    /// The entries' time (seconds since 1970), the same for all of them.
    var epoch: Int64
    /// gzip level, 1 to 9.
    var level: Int32 = 6

    /// Writes `contents` to a new file at `path`, complete or not at all.
    func write(_ contents: LayerContents, to path: String) throws(ImageError) -> Layer {
        let output = try FileWriter(path: path)
        var tarHash = SHA256()
        var blobHash = SHA256()
        let gzip: GzipCompressor
        do { gzip = try GzipCompressor(level: level) } catch { throw ImageError(.io, error.message) }
        let compressed = { (bytes: UnsafeRawBufferPointer) throws(ImageError) in
            blobHash.update(bufferPointer: bytes)
            try output.append(bytes)
        }
        try TarStream(epoch: epoch).write(contents) { (tar) throws(ImageError) in
            tarHash.update(bufferPointer: tar)
            try gzip.compress(tar, into: compressed)
        }
        try gzip.finish(into: compressed)
        try output.commit()
        return Layer(
            descriptor: Descriptor(
                mediaType: Self.mediaType, digest: Digest.sha256(blobHash.finalize()), size: output.count),
            diffID: Digest.sha256(tarHash.finalize()))
    }
}
