import Crypto
import Foundation
public import KaizenCore

/// An OCI content descriptor: what a blob is, its digest and its size.
public struct Descriptor: Sendable, Equatable {
    public var mediaType: String
    /// `sha256:` and 64 lowercase hex digits.
    public var digest: String
    public var size: Int64

    public init(mediaType: String, digest: String, size: Int64) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
    }

    /// The descriptor as the manifest and the index write it.
    public var json: JSONValue {
        .object([("mediaType", .string(mediaType)), ("digest", .string(digest)), ("size", .integer(size))])
    }
}

/// `sha256:` digests.
enum Digest {
    static func sha256(_ digest: Crypto.SHA256.Digest) -> String {
        "sha256:"
            + digest.map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
    }

    static func sha256(of bytes: [UInt8]) -> String {
        sha256(Crypto.SHA256.hash(data: bytes))
    }

    /// The 64 hex digits of a well-formed `sha256:` digest, or nil.
    static func hex(_ digest: String) -> String? {
        guard digest.hasPrefix("sha256:") else { return nil }
        let hex = digest.dropFirst("sha256:".count)
        guard hex.count == 64, hex.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) }) else {
            return nil
        }
        return String(hex)
    }
}
