import CZlib

/// A gzip stream (RFC 1952) on zlib's deflate, with a header that carries no file name and no time, so the same
/// bytes in give the same bytes out.
final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private var finished = false

    /// - Parameter level: zlib's level, 1 (fastest) to 9 (smallest).
    init(level: Int32) throws(ImageError) {
        // zlib keeps a pointer back to the stream, so the stream must not move: it lives on the heap.
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        // Window bits 15 + 16: a gzip wrapper; zlib writes modification time 0 and no name.
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            output.deallocate()
            throw ImageError(.io, "zlib could not start a gzip stream (status \(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `input`, handing every compressed chunk produced to `sink`.
    func compress(
        _ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws(ImageError) -> Void
    ) throws(ImageError) {
        guard !input.isEmpty else { return }
        try run(input, flush: Z_NO_FLUSH, into: sink)
    }

    /// Ends the stream: the last compressed bytes and the trailer (CRC-32 and length) go to `sink`.
    func finish(into sink: (UnsafeRawBufferPointer) throws(ImageError) -> Void) throws(ImageError) {
        guard !finished else { return }
        finished = true
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, into: sink)
    }

    private func run(
        _ input: UnsafeRawBufferPointer, flush: Int32, into sink: (UnsafeRawBufferPointer) throws(ImageError) -> Void
    ) throws(ImageError) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let status = deflate(stream, flush)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ImageError(.io, "zlib failed while compressing (status \(status))")
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { break }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                break
            }
        }
    }
}
