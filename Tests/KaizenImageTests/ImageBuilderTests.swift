import Foundation
import Testing

@testable import KaizenImage

struct ImageBuilderTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-image-\(UUID().uuidString)")

    func makeStore(_ name: String) throws -> BlobStore {
        try BlobStore(root: scratch.appendingPathComponent(name))
    }

    /// A recipe with a file read from disk (a megabyte of varied bytes), bytes, a link and a long name.
    func recipe(label: String = "a") throws -> ImageRecipe {
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let source = scratch.appendingPathComponent("payload.bin")
        if !FileManager.default.fileExists(atPath: source.path) {
            var generator = SystemRandomNumberGenerator()
            try Data((0..<(1 << 20) + 17).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: source)
        }
        let long = String(repeating: "nested/", count: 20) + "weights.bin"
        let layer = try LayerContents([
            .file("opt/kaizen/model/model.onnx", from: source.path),
            .file("opt/kaizen/model/MLmodel", contents: "flavors: {}\n"),
            .file("opt/kaizen/model/" + long, contents: "deep"),
            LayerEntry(path: "opt/kaizen/model/latest", kind: .symlink(target: "model.onnx"), mode: 0o777),
            .directory("home/nonroot", uid: 65532, gid: 65532),
        ])
        let configuration = ImageConfiguration(
            user: "65532:65532", environment: ["PATH=/usr/bin"], entrypoint: ["/usr/local/bin/kaizen"],
            exposedPorts: ["8080/tcp"], labels: ["team": label], architecture: "amd64")
        return ImageRecipe(
            layers: [
                .init(description: "base", contents: try LayerContents([.file("etc/group", contents: "root:x:0:\n")])),
                .init(description: "model", contents: layer),
            ], configuration: configuration, epoch: 1_700_000_000, diffIDLabels: ["model.digest": 1])
    }

    func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(arguments) failed")
        return String(decoding: output, as: UTF8.self)
    }

    @Test func twoBuildsGiveTheSameBytes() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let first = try ImageBuilder(store: try makeStore("one"), useCache: false).build(try recipe())
        let second = try ImageBuilder(store: try makeStore("two"), useCache: false).build(try recipe())
        #expect(first.manifest == second.manifest)
        #expect(first.layers == second.layers)
        #expect(first.reused == [false, false])
    }

    @Test func aLabelChangesOnlyTheConfigAndTheManifest() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = try makeStore("store")
        let first = try ImageBuilder(store: store).build(try recipe(label: "a"))
        let second = try ImageBuilder(store: store).build(try recipe(label: "b"))
        #expect(first.layers == second.layers)
        #expect(second.reused == [true, true])
        #expect(first.config.digest != second.config.digest)
        #expect(first.manifest.digest != second.manifest.digest)
        let config =
            try JSONSerialization.jsonObject(with: Data(try store.read(second.config.digest))) as? [String: Any]
        let labels = (config?["config"] as? [String: Any])?["Labels"] as? [String: String]
        #expect(labels?["team"] == "b")
        #expect(labels?["model.digest"] == second.layers[1].diffID)
        #expect(((config?["rootfs"] as? [String: Any])?["diff_ids"] as? [String]) == second.layers.map(\.diffID))
        #expect(config?["created"] as? String == "2023-11-14T22:13:20Z")
    }

    @Test func layersAreGzipWithoutNameOrTimeAndListAsTar() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = try makeStore("store")
        let image = try ImageBuilder(store: store).build(try recipe())
        let path = try store.path(of: image.layers[1].descriptor.digest)
        let blob = try #require(FileManager.default.contents(atPath: path))
        // Magic, deflate, no flags (so no name), modification time zero.
        #expect(Array(blob.prefix(8)) == [0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0])
        #expect(Int64(blob.count) == image.layers[1].descriptor.size)
        let listing = try run(["tar", "--numeric-owner", "-tvzf", path])
        #expect(listing.contains("65532/65532"))
        #expect(listing.contains(String(repeating: "nested/", count: 20) + "weights.bin"))
        #expect(listing.contains("opt/kaizen/model/latest -> model.onnx"))
        #expect(listing.contains("2023-11-14"))
        // The diff id is the digest of the uncompressed tar.
        let digest = try run(["sh", "-c", "gzip -dc '\(path)' | sha256sum"]).prefix(64)
        #expect("sha256:" + digest == image.layers[1].diffID)
        let extracted = scratch.appendingPathComponent("extracted")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        _ = try run(["tar", "-xzf", path, "-C", extracted.path])
        #expect(
            FileManager.default.contents(atPath: extracted.path + "/opt/kaizen/model/model.onnx")
                == FileManager.default.contents(atPath: scratch.path + "/payload.bin"))
    }

    @Test func exportsAreReadableArchives() throws {
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = try makeStore("store")
        let image = try ImageBuilder(store: store).build(try recipe())
        let reference = try ImageReference(parsing: "localhost:5000/iris:v1")
        let exporter = ImageExporter(store: store, epoch: 0)
        let archive = scratch.appendingPathComponent("image.tar").path
        try exporter.export(image, as: reference, format: .ociArchive, to: archive)
        let names = try run(["tar", "-tf", archive]).split(separator: "\n").map(String.init)
        #expect(names.contains("index.json"))
        #expect(names.contains("oci-layout"))
        #expect(names.contains("blobs/sha256/" + image.manifest.digest.dropFirst(7)))
        let docker = scratch.appendingPathComponent("docker.tar").path
        try exporter.export(image, as: reference, format: .dockerArchive, to: docker)
        let manifest = try run(["tar", "-xOf", docker, "manifest.json"])
        #expect(manifest.contains(#""RepoTags":["localhost:5000/iris:v1"]"#))
        let layout = scratch.appendingPathComponent("layout")
        try exporter.export(image, as: reference, format: .oci, to: layout.path)
        let index = try BlobStore(root: layout).index()
        #expect(index.map(\.0) == [image.manifest])
        #expect(index.first?.1["org.opencontainers.image.ref.name"] == "v1")
    }
}

struct LayerCacheTests {
    @Test func aCopyOfTheSameFilesIsRecognizedByContent() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-cache-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let first = scratch.appendingPathComponent("first.bin")
        let second = scratch.appendingPathComponent("second.bin")
        try Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7) }).write(to: first)
        try FileManager.default.copyItem(at: first, to: second)
        let cache = LayerCache(store: try BlobStore(root: scratch.appendingPathComponent("store")))
        let writer = LayerWriter(epoch: 0)
        func contents(_ source: URL) throws -> LayerContents {
            try LayerContents([.file("opt/kaizen/model/model.onnx", from: source.path)])
        }
        // By identity, a copy is another input; by content, the same one.
        #expect(
            cache.fingerprint(try contents(first), writer: writer)
                != cache.fingerprint(try contents(second), writer: writer))
        let byContent = cache.fingerprint(try contents(first), writer: writer, byContent: true)
        #expect(byContent != nil)
        #expect(byContent == cache.fingerprint(try contents(second), writer: writer, byContent: true))
        try Data([1]).write(to: second)
        #expect(byContent != cache.fingerprint(try contents(second), writer: writer, byContent: true))
    }
}
