import CZlib

/// A gzip stream (RFC 1952) on zlib's deflate, with a header that carries no file name and no time, so the same
/// bytes in give the same bytes out.
public final class GzipCompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private var finished = false
    /// Bytes given to `compress` so far.
    public private(set) var bytesIn = 0
    /// Compressed bytes handed out so far.
    public private(set) var bytesOut = 0

    /// - Parameter level: zlib's level, 1 (fastest) to 9 (smallest).
    public init(level: Int32) throws(KaizenError) {
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
            throw KaizenError(.internalError, "zlib could not start a gzip stream (status \(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses `input`, handing every compressed chunk produced to `sink`.
    public func compress<Failure: Error>(
        _ input: UnsafeRawBufferPointer, into sink: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        guard !input.isEmpty else { return }
        bytesIn += input.count
        try run(input, flush: Z_NO_FLUSH, into: sink)
    }

    /// Compresses `input` and appends what comes out to `output`.
    public func compress(_ input: [UInt8], appendingTo output: inout [UInt8]) {
        input.withUnsafeBytes { bytes in compress(bytes) { output.append(contentsOf: $0) } }
    }

    /// Ends the stream: the last compressed bytes and the trailer (CRC-32 and length) go to `sink`.
    public func finish<Failure: Error>(
        into sink: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        guard !finished else { return }
        finished = true
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, into: sink)
    }

    /// Ends the stream, appending the last bytes to `output`.
    public func finish(appendingTo output: inout [UInt8]) {
        finish { output.append(contentsOf: $0) }
    }

    private func run<Failure: Error>(
        _ input: UnsafeRawBufferPointer, flush: Int32, into sink: (UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(input.count)
        while true {
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let status = deflate(stream, flush)
            // deflate fails only on a stream used wrongly (Z_STREAM_ERROR), never on its input.
            precondition(
                status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR, "zlib deflate failed (\(status))")
            let produced = output.count - Int(stream.pointee.avail_out)
            bytesOut += produced
            if produced > 0 { try sink(UnsafeRawBufferPointer(rebasing: output[0..<produced])) }
            if flush == Z_FINISH {
                if status == Z_STREAM_END { break }
            } else if stream.pointee.avail_in == 0 && stream.pointee.avail_out > 0 {
                break
            }
        }
    }
}
