import CZlib

/// Reads gzip data (RFC 1952, one member or several back to back, as `cat a.gz b.gz` makes them) into its bytes.
public enum GzipDecompressor {
    /// The bytes `input` decompresses to: at most `limit` of them, else an error, so a small hostile file cannot
    /// fill memory. `source` names the data in error messages.
    public static func decompress(
        _ input: UnsafeRawBufferPointer, limit: Int, source: String
    ) throws(KaizenError) -> [UInt8] {
        var output: [UInt8] = []
        var offset = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        guard input.count >= 2, input[0] == 0x1F, input[1] == 0x8B else {
            throw .invalidParameter("\(source) is not gzip data")
        }
        // One member per round; trailing zero bytes after the last member are padding, as gzip(1) allows.
        while offset < input.count, input[offset...].contains(where: { $0 != 0 }) {
            var stream = z_stream()
            // Window bits 15 + 16: gzip only.
            guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw KaizenError(.internalError, "zlib could not start inflating \(source)")
            }
            defer { inflateEnd(&stream) }
            stream.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress?.advanced(by: offset).assumingMemoryBound(to: Bytef.self))
            stream.avail_in = uInt(input.count - offset)
            var status: Int32 = Z_OK
            repeat {
                stream.next_out = chunk.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(chunk.count)
                status = inflate(&stream, Z_NO_FLUSH)
                guard status == Z_OK || status == Z_STREAM_END else {
                    let reason = status == Z_BUF_ERROR ? "it ends early" : "it is corrupt (zlib status \(status))"
                    throw .invalidParameter("\(source) cannot be decompressed: \(reason)")
                }
                let produced = chunk.count - Int(stream.avail_out)
                guard output.count + produced <= limit else {
                    throw .invalidParameter("\(source) decompresses to more than \(limit) bytes")
                }
                output.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<produced]))
            } while status != Z_STREAM_END
            offset = input.count - Int(stream.avail_in)
        }
        return output
    }

    /// The bytes `input` decompresses to, at most `limit` of them.
    public static func decompress(_ input: [UInt8], limit: Int, source: String) throws(KaizenError) -> [UInt8] {
        let result = input.withUnsafeBytes { bytes in
            Result { () throws(KaizenError) in try decompress(bytes, limit: limit, source: source) }
        }
        return try result.get()
    }
}
