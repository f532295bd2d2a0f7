/// Writes ``LayerContents`` as a tar stream to a sink, file contents in chunks: the one tar writer behind layers
/// (whose sink hashes and compresses) and archives (whose sink is a file).
struct TarStream {
    /// The entries' time (seconds since 1970).
    var epoch: Int64

    /// Writes every entry, then the end-of-archive blocks. Small pieces are gathered into chunks of about a
    /// megabyte before they reach `sink`; a file's contents go in the chunks it is read in.
    func write(
        _ contents: LayerContents, to sink: (UnsafeRawBufferPointer) throws(ImageError) -> Void
    ) throws(ImageError) {
        var pending: [UInt8] = []
        pending.reserveCapacity(1 << 20)
        func flush() throws(ImageError) {
            guard !pending.isEmpty else { return }
            try pending.withBytes(sink)
            pending.removeAll(keepingCapacity: true)
        }
        func emit(_ bytes: [UInt8]) throws(ImageError) {
            pending += bytes
            if pending.count >= 1 << 20 { try flush() }
        }
        for entry in contents.entries {
            switch entry.kind {
            case .directory:
                try emit(header(entry, name: entry.path + "/", type: .directory, size: 0))
            case .symlink(let target):
                try emit(header(entry, name: entry.path, type: .symlink, size: 0, linkTarget: target))
            case .bytes(let bytes):
                try emit(header(entry, name: entry.path, type: .file, size: Int64(bytes.count)))
                try emit(bytes)
                try emit(TarHeader.padding(for: Int64(bytes.count)))
            case .file(let source):
                let reader = try FileReader(path: source)
                try emit(header(entry, name: entry.path, type: .file, size: reader.size))
                try flush()
                try reader.forEachChunk(sink)
                try emit(TarHeader.padding(for: reader.size))
            }
        }
        try emit(TarHeader.end)
        try flush()
    }

    func header(
        _ entry: LayerEntry, name: String, type: TarHeader.TypeFlag, size: Int64, linkTarget: String = ""
    ) -> [UInt8] {
        TarHeader.blocks(
            name: name, type: type, size: size, mode: entry.mode, uid: entry.uid, gid: entry.gid,
            linkTarget: linkTarget, mtime: epoch)
    }
}
