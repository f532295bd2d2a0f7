import Foundation

/// The entries of a model folder placed under a path of the image, refusing what could reach outside it: links
/// that are absolute or resolve outside the folder, special files, names a file system cannot hold.
enum ModelFolder {
    static let maximumDepth = 32

    /// The folder at `folder` as layer entries under `prefix` (for example `opt/kaizen/model`).
    static func entries(of folder: String, under prefix: String) throws(ImageError) -> [LayerEntry] {
        let root = try RuntimeClosure.real(folder)
        var status = stat()
        guard stat(root, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
            throw ImageError(.invalidArgument, "\(folder) is not a folder")
        }
        var entries: [LayerEntry] = [.directory(prefix)]
        try walk(root, relative: "", root: root, prefix: prefix, depth: 0, into: &entries)
        return entries
    }

    static func walk(
        _ folder: String, relative: String, root: String, prefix: String, depth: Int, into entries: inout [LayerEntry]
    ) throws(ImageError) {
        guard depth < maximumDepth else {
            throw ImageError(.unsafeFile, "\(folder) is nested more than \(maximumDepth) folders deep")
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted() } catch {
            throw ImageError(.io, "Cannot list \(folder): \(error.localizedDescription)")
        }
        for name in names {
            guard name.utf8.count <= 255 else {
                throw ImageError(.unsafeFile, "\(folder) holds a name of \(name.utf8.count) bytes; at most 255 fit")
            }
            let path = folder + "/" + name
            let inside = relative.isEmpty ? name : relative + "/" + name
            let imagePath = prefix + "/" + inside
            var status = stat()
            guard lstat(path, &status) == 0 else {
                throw ImageError(.io, "Cannot read \(path): \(String(cString: strerror(errno)))")
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                entries.append(.directory(imagePath))
                try walk(path, relative: inside, root: root, prefix: prefix, depth: depth + 1, into: &entries)
            case S_IFREG:
                let executable = status.st_mode & 0o111 != 0
                entries.append(.file(imagePath, from: path, mode: executable ? 0o755 : 0o644))
            case S_IFLNK:
                let target = try linkTarget(path, relative: inside, root: root)
                entries.append(LayerEntry(path: imagePath, kind: .symlink(target: target), mode: 0o777))
            default:
                throw ImageError(.unsafeFile, "\(path) is not a regular file, a folder or a link")
            }
        }
    }

    /// The target of the link at `path` if it stays inside the folder, both as written and once resolved.
    static func linkTarget(_ path: String, relative: String, root: String) throws(ImageError) -> String {
        let target: String
        do { target = try FileManager.default.destinationOfSymbolicLink(atPath: path) } catch {
            throw ImageError(.io, "Cannot read the link \(path)")
        }
        guard !target.hasPrefix("/") else {
            throw ImageError(.unsafeFile, "The link \(path) points to the absolute path \(target)")
        }
        // As written: the components, from the link's folder, never climb above the model folder.
        var depth = relative.split(separator: "/").count - 1
        for component in target.split(separator: "/") {
            if component == ".." { depth -= 1 } else if component != "." { depth += 1 }
            guard depth >= 0 else {
                throw ImageError(.unsafeFile, "The link \(path) points outside the model folder (\(target))")
            }
        }
        // Resolved: links along the way do not lead out either.
        guard let resolved = try? RuntimeClosure.real(path), resolved == root || resolved.hasPrefix(root + "/") else {
            throw ImageError(.unsafeFile, "The link \(path) resolves outside the model folder or to nothing")
        }
        return target
    }
}
