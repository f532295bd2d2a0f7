import Foundation

/// The files a dynamically linked binary needs to start in an empty root file system: its interpreter and every
/// shared library it loads, found as the dynamic loader finds them (`DT_RUNPATH` with `$ORIGIN`, then the default
/// folders), each placed at the path the loader will look at, plus the copyright file of each Debian package that
/// ships one.
public struct RuntimeClosure: Sendable {
    /// A file to copy: the path in the image (relative) and the real file on this machine.
    public struct File: Sendable, Equatable {
        public var imagePath: String
        public var source: String
    }

    /// `amd64` or `arm64`.
    public var architecture: String
    /// The interpreter and the libraries.
    public var libraries: [File]
    /// `/usr/share/doc/<package>/copyright` of the packages the libraries come from.
    public var copyrights: [File]

    /// The closure of the ELF binary at `binary`.
    public init(binary: String) throws(ImageError) {
        let root = try ELFFile(path: binary)
        guard let architecture = root.architecture, let triplet = root.multiarch else {
            throw ImageError(
                .runtime, "\(binary) is for ELF machine \(root.machine); images are built for x86-64 and AArch64")
        }
        self.architecture = architecture
        let defaults = ["/lib/\(triplet)", "/usr/lib/\(triplet)", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
        var files: [String: File] = [:]
        var loaded: Set<String> = []
        if let interpreter = root.interpreter {
            files[interpreter] = File(
                imagePath: String(interpreter.drop { $0 == "/" }), source: try Self.real(interpreter))
            loaded.insert((interpreter as NSString).lastPathComponent)
        }
        // Breadth first, as the loader goes: an object's libraries are all loaded before their own libraries, so a
        // library without a search path of its own finds what its loader's neighbours brought in.
        var queue: [(path: String, elf: ELFFile)] = [(binary, root)]
        var next = 0
        while next < queue.count {
            let (path, elf) = queue[next]
            next += 1
            let origin = (path as NSString).deletingLastPathComponent
            let searched = elf.runPaths.map { $0.replacingOccurrences(of: "$ORIGIN", with: origin) } + defaults
            for name in elf.needed where !loaded.contains(name) {
                loaded.insert(name)
                let candidates = name.contains("/") ? [name] : searched.map { $0 + "/" + name }
                guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                    throw ImageError(.runtime, "\(path) needs \(name), which is in none of \(searched)")
                }
                let library = try ELFFile(path: found)
                guard library.machine == root.machine else {
                    throw ImageError(.runtime, "\(found) is for another machine than \(binary)")
                }
                files[found] = File(imagePath: String(found.drop { $0 == "/" }), source: try Self.real(found))
                queue.append((found, library))
            }
        }
        libraries = files.values.sorted { $0.imagePath < $1.imagePath }
        copyrights = Self.copyrights(of: Array(files.keys) + libraries.map(\.source))
    }

    static func real(_ path: String) throws(ImageError) -> String {
        guard let resolved = realpath(path, nil) else {
            throw ImageError(.runtime, "Cannot resolve \(path): \(String(cString: strerror(errno)))")
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The copyright files of the Debian packages that own any of `paths`, found through dpkg's file lists; none
    /// on a system without dpkg.
    static func copyrights(of paths: [String]) -> [File] {
        var wanted: Set<String> = []
        for path in paths {
            wanted.insert(path)
            if path.hasPrefix("/usr/") {
                wanted.insert(String(path.dropFirst(4)))
            } else {
                wanted.insert("/usr" + path)
            }
        }
        let info = "/var/lib/dpkg/info"
        guard let lists = try? FileManager.default.contentsOfDirectory(atPath: info) else { return [] }
        var packages: Set<String> = []
        for list in lists where list.hasSuffix(".list") {
            guard let data = FileManager.default.contents(atPath: info + "/" + list) else { continue }
            let owns = data.split(separator: UInt8(ascii: "\n")).contains {
                wanted.contains(String(decoding: $0, as: UTF8.self))
            }
            if owns { packages.insert(String(list.dropLast(5).prefix { $0 != ":" })) }
        }
        return packages.sorted().compactMap { package in
            let path = "/usr/share/doc/\(package)/copyright"
            guard let source = try? real(path) else { return nil }
            return File(imagePath: String(path.dropFirst()), source: source)
        }
    }
}
