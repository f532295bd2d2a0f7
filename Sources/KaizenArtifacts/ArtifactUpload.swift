import Foundation
import KaizenCore

/// A file being uploaded: bytes go to a hidden temporary file beside the destination, which `commit` renames
/// over the destination once complete, so a reader sees the old file or the whole new one, never a part.
///
/// Use it once: `append` any number of times, then either `commit` or `discard`.
struct ArtifactUpload {
    /// How temporary files begin; listings leave them out.
    static let temporaryPrefix = ".kaizen-upload-"

    /// The real path of the folder holding the destination.
    let directory: String
    /// Where the file goes.
    let destination: String
    /// Where the bytes go until `commit`.
    let temporaryPath: String
    private let descriptor: Int32

    /// Creates the temporary file for `name` in `directory`, a real folder inside the artifact root.
    init(directory: String, name: String) throws(KaizenError) {
        self.directory = directory
        self.destination = directory + "/" + name
        self.temporaryPath = directory + "/" + Self.temporaryPrefix + randomHexID()
        // O_EXCL | O_NOFOLLOW: a fresh file of our own, never something planted under the same name.
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure("create", errno) }
    }

    /// Writes all of `bytes` at the end of the temporary file.
    func append(_ bytes: [UInt8]) throws(KaizenError) {
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += count
            }
        }
        if failure != 0 { throw Self.failure("write", failure) }
    }

    /// Makes the bytes durable and moves them into place; on failure nothing of the upload remains.
    func commit() throws(KaizenError) {
        // A 200 means the artifact is stored: flush the bytes before the rename makes them visible, and the
        // folder after it so the new name survives a crash too.
        guard fsync(descriptor) == 0 else {
            let failure = errno
            discard()
            throw Self.failure("flush", failure)
        }
        guard close(descriptor) == 0 else {
            let failure = errno
            unlink(temporaryPath)
            throw Self.failure("close", failure)
        }
        // rename(2) replaces a symlink at the destination rather than writing through it.
        guard rename(temporaryPath, destination) == 0 else {
            let failure = errno
            unlink(temporaryPath)
            if failure == EISDIR { throw KaizenError.invalidParameter("Artifact path refers to a directory") }
            throw Self.failure("rename", failure)
        }
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// Removes the temporary file; the destination is untouched.
    func discard() {
        close(descriptor)
        unlink(temporaryPath)
    }

    private static func failure(_ step: String, _ code: Int32) -> KaizenError {
        KaizenError(.internalError, "Could not store artifact: \(step) failed (errno \(code))")
    }
}
