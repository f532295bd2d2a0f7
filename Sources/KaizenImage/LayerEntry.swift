/// One entry of an image layer: a directory, a regular file or a symbolic link at a path of the image's root
/// file system.
public struct LayerEntry: Sendable, Equatable {
    /// What the entry is, and where a file's bytes come from.
    public enum Kind: Sendable, Equatable {
        case directory
        /// A file whose bytes are read from a local path when the layer is written.
        case file(source: String)
        /// A file with these bytes.
        case bytes([UInt8])
        case symlink(target: String)
    }

    /// The path in the image, relative to its root: `usr/local/bin/kaizen`.
    public var path: String
    public var kind: Kind
    /// Permission bits, for example `0o755`.
    public var mode: UInt32
    public var uid: Int
    public var gid: Int

    public init(path: String, kind: Kind, mode: UInt32, uid: Int = 0, gid: Int = 0) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.uid = uid
        self.gid = gid
    }

    public static func directory(_ path: String, mode: UInt32 = 0o755, uid: Int = 0, gid: Int = 0) -> LayerEntry {
        LayerEntry(path: path, kind: .directory, mode: mode, uid: uid, gid: gid)
    }

    public static func file(_ path: String, from source: String, mode: UInt32 = 0o644) -> LayerEntry {
        LayerEntry(path: path, kind: .file(source: source), mode: mode)
    }

    public static func file(_ path: String, contents: String, mode: UInt32 = 0o644) -> LayerEntry {
        LayerEntry(path: path, kind: .bytes(Array(contents.utf8)), mode: mode)
    }

    /// The path's components; a path is checked by ``LayerContents`` before it gets here.
    var components: [Substring] { path.split(separator: "/") }
}

/// The entries of one layer, checked and put in a canonical order: every name relative, without `.`, `..` or
/// empty components, each component at most 255 bytes (what Linux file systems hold), each parent directory
/// present as an entry of its own before its children, no path twice, and entries sorted by their components so
/// the same files always give the same tar stream.
public struct LayerContents: Sendable {
    /// The entries in the order they are written.
    public private(set) var entries: [LayerEntry]

    public init(_ entries: [LayerEntry]) throws(ImageError) {
        var byPath: [String: LayerEntry] = [:]
        for entry in entries {
            let path = try Self.checked(entry.path)
            var entry = entry
            entry.path = path
            if case .symlink(let target) = entry.kind {
                guard !target.isEmpty, !target.utf8.contains(0) else {
                    throw ImageError(.unsafeFile, "The link \(path) has an empty or invalid target")
                }
            }
            if let existing = byPath[path] {
                guard existing.kind == .directory && entry.kind == .directory else {
                    throw ImageError(.invalidArgument, "The layer names \(path) twice")
                }
                continue
            }
            byPath[path] = entry
            // Parents, as directories, unless the caller listed them.
            var parent = entry.components.dropLast()
            while !parent.isEmpty {
                let parentPath = parent.joined(separator: "/")
                if let existing = byPath[parentPath] {
                    guard existing.kind == .directory else {
                        throw ImageError(.invalidArgument, "\(parentPath) is both a directory and a file in the layer")
                    }
                    break
                }
                byPath[parentPath] = .directory(parentPath)
                parent = parent.dropLast()
            }
        }
        self.entries = byPath.values.sorted { $0.components.lexicographicallyPrecedes($1.components) }
    }

    /// `path` without leading and trailing slashes, or an error naming what is wrong with it.
    static func checked(_ path: String) throws(ImageError) -> String {
        guard !path.hasPrefix("/") else {
            throw ImageError(.unsafeFile, "The name \(path) is absolute; layer names are relative to the image root")
        }
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let trimmed = components.last == "" ? components.dropLast() : components[...]
        guard !trimmed.isEmpty else { throw ImageError(.unsafeFile, "A layer entry has an empty name") }
        for component in trimmed {
            guard !component.isEmpty, component != ".", component != ".." else {
                throw ImageError(.unsafeFile, "The name \(path) has an empty, '.' or '..' component")
            }
            guard component.utf8.count <= 255 else {
                throw ImageError(
                    .unsafeFile,
                    "The name \(path.prefix(80))... has a component of \(component.utf8.count) bytes; at most 255 fit")
            }
            guard !component.utf8.contains(0) else { throw ImageError(.unsafeFile, "The name \(path) holds a NUL") }
        }
        return trimmed.joined(separator: "/")
    }
}
