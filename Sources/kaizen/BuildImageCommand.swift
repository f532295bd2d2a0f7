import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore
import KaizenImage
import KaizenServer
import KaizenServing

/// `kaizen models build-image`: an OCI image of a model server, built without a daemon or a base image.
struct BuildImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build-image",
        abstract: "Build an OCI image that serves a model (no daemon, no base image), and push it to a registry.",
        discussion: """
            The image has three layers: the runtime libraries of the kaizen binary (with their copyright files, \
            the CA bundle and an unprivileged user), the binary, and the model folder. It runs \
            `kaizen models serve` on port 8080 as user 65532. The same model, binary and SOURCE_DATE_EPOCH give \
            the same digest. Layers whose inputs did not change are reused from the image store, and a push \
            uploads only the blobs the registry lacks.
            """)

    @OptionGroup var source: ModelSourceOptions

    @Option(name: [.customShort("t"), .long], help: "Image reference: [registry/]repository[:tag].")
    var tag: String

    @Flag(help: "Push the image to its registry after building it.")
    var push = false

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Also write the image as FORMAT (oci, oci-archive, docker-archive) to PATH: `--output oci-archive "
                + "iris.tar` or `--output oci-archive:iris.tar`.", valueName: "FORMAT PATH"))
    var output: [String] = []

    @Option(
        name: .customLong("label"),
        help: ArgumentHelp("A label KEY=VALUE for the image (repeatable).", valueName: "KEY=VALUE"))
    var labels: [String] = []

    @Option(help: "The kaizen binary to put in the image (default: this one).")
    var binary: String?

    @Option(
        help:
            "Folder of the local image store and layer cache (default: $KAIZEN_IMAGE_STORE or ~/.cache/kaizen/images).")
    var store: String?

    @Flag(help: "Build every layer again, even when the store has it for the same inputs.")
    var noCache = false

    @Flag(help: "Speak plain HTTP to the registry (the default for registries on loopback).")
    var plainHttp = false

    @Option(help: "gzip level for the layers, 1 (fastest) to 9 (smallest).")
    var compressionLevel: Int32 = 6

    @Option(help: "Write the pushed or built manifest digest to this file.")
    var digestFile: String?

    func validate() throws {
        guard (1...9).contains(compressionLevel) else { throw ValidationError("--compression-level must be 1 to 9") }
        _ = try outputs()
        _ = try labelPairs()
    }

    /// `--output` values as (format, path) pairs.
    func outputs() throws -> [(ImageOutputFormat, String)] {
        var pairs: [(ImageOutputFormat, String)] = []
        var values = output[...]
        while let first = values.popFirst() {
            let format: String
            let path: String
            if let known = ImageOutputFormat(rawValue: first) {
                guard let next = values.popFirst() else { throw ValidationError("--output \(first) needs a PATH") }
                format = known.rawValue
                path = next
            } else if let colon = first.firstIndex(of: ":") {
                format = String(first[..<colon])
                path = String(first[first.index(after: colon)...])
            } else {
                format = first
                path = ""
            }
            guard let parsed = ImageOutputFormat(rawValue: format), !path.isEmpty else {
                throw ValidationError(
                    "--output takes FORMAT PATH with FORMAT one of oci, oci-archive, docker-archive; got '\(first)'")
            }
            pairs.append((parsed, path))
        }
        return pairs
    }

    func labelPairs() throws -> [String: String] {
        var pairs: [String: String] = [:]
        for label in labels {
            guard let equals = label.firstIndex(of: "="), equals != label.startIndex else {
                throw ValidationError("--label takes KEY=VALUE; got '\(label)'")
            }
            pairs[String(label[..<equals])] = String(label[label.index(after: equals)...])
        }
        return pairs
    }

    // run() is split into small steps: one long async body with these loops and optionals crashes Swift 6.3's
    // release optimizer ("While splitting coroutine").
    func run() async throws {
        let started = ContinuousClock.now
        let reference = try ImageReference(parsing: tag)
        let epoch = try sourceDateEpoch()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-image-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let model = try await resolveModel(into: scratch)
        let layout = try BlobStore(root: storeFolder(ProcessInfo.processInfo.environment))
        let built = try build(model, epoch: epoch, as: reference, in: layout, started: started)
        if push { try await pushImage(built, as: reference, from: layout) }
        if let digestFile {
            try Data((built.manifest.digest + "\n").utf8).write(to: URL(fileURLWithPath: digestFile), options: .atomic)
        }
    }

    /// `SOURCE_DATE_EPOCH`, or 0.
    func sourceDateEpoch() throws -> Int64 {
        guard let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], !text.isEmpty else { return 0 }
        guard let value = Int64(text), value >= 0 else {
            throw ValidationError("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970; got '\(text)'")
        }
        return value
    }

    /// The model's files in `scratch` (or where they are, for a local folder), loaded once to prove Kaizen serves
    /// it (a model Kaizen cannot serve fails the build, not the pod), with what the labels say about it.
    func resolveModel(into scratch: URL) async throws -> ServingImage.Model {
        let modelReference = try source.reference()
        let locator = try source.locator()
        let located = try await locator.locate(modelReference)
        let folder = try await locator.fetch(located, into: scratch)
        _ = try ScoringModel(package: try ModelPackage(at: folder), name: located.name, version: located.version)
        var model = ServingImage.Model(
            folder: folder.path, name: located.name, version: located.version, uri: source.modelURI ?? "")
        if case .alias(_, let alias) = modelReference { model.alias = alias }
        if case .run(let id, _) = modelReference { model.runID = id }
        if let version = located.version, let client = locator.client {
            model.runID = try await runID(of: located.name, version: version, client: client)
        }
        return model
    }

    func runID(of name: String, version: String, client: TrackingClient) async throws -> String? {
        let answer = try await client.call("model-versions/get", get: [("name", name), ("version", version)])
        guard let id = answer["model_version"]?["run_id"]?.stringValue, !id.isEmpty else { return nil }
        return id
    }

    /// Builds the image into the store, tags it, prints its layers and writes the outputs.
    func build(
        _ model: ServingImage.Model, epoch: Int64, as reference: ImageReference, in layout: BlobStore,
        started: ContinuousClock.Instant
    ) throws -> BuiltImage {
        let image = ServingImage(
            binary: binary ?? "/proc/self/exe", model: model, labels: try labelPairs(), kaizenVersion: kaizenVersion,
            epoch: epoch)
        let builder = ImageBuilder(store: layout, compressionLevel: compressionLevel, useCache: !noCache)
        let built = try builder.build(try image.recipe())
        let exporter = ImageExporter(store: layout, epoch: epoch)
        try exporter.tag(built, as: reference)
        for (index, layer) in built.layers.enumerated() {
            let state = built.reused[index] ? "cached" : "built"
            let size = megabytes(layer.descriptor.size)
            print("layer \(index + 1)/\(built.layers.count) \(layer.descriptor.digest) \(size) (\(state))")
        }
        let total = built.blobs.reduce(Int64(0)) { $0 + $1.size } + built.manifest.size
        let elapsed = seconds(ContinuousClock.now - started)
        print("Built \(reference) \(built.manifest.digest): \(megabytes(total)) compressed in \(elapsed)")
        for (format, path) in try outputs() {
            try exporter.export(built, as: reference, format: format, to: path)
            print("Wrote \(format.rawValue) \(path)")
        }
        return built
    }

    func pushImage(_ built: BuiltImage, as reference: ImageReference, from layout: BlobStore) async throws {
        let started = ContinuousClock.now
        let client = RegistryClient(
            reference: reference, credentials: try RegistryCredentials.lookup(registry: reference.registry),
            plainHTTP: plainHttp ? true : nil)
        let result = try await client.push(built, from: layout)
        print(
            "Pushed \(reference)@\(result.manifestDigest): \(result.uploaded.count) blobs uploaded, "
                + "\(result.skipped.count) already there, in \(seconds(ContinuousClock.now - started))")
    }

    func storeFolder(_ environment: [String: String]) -> URL {
        if let store { return URL(fileURLWithPath: store) }
        if let folder = environment["KAIZEN_IMAGE_STORE"], !folder.isEmpty { return URL(fileURLWithPath: folder) }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty {
            return URL(fileURLWithPath: cache).appendingPathComponent("kaizen/images")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/kaizen/images")
    }

    func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }

    func seconds(_ duration: Duration) -> String {
        let parts = duration.components
        return String(format: "%.2f s", Double(parts.seconds) + Double(parts.attoseconds) / 1e18)
    }
}
