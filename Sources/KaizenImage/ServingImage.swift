import Foundation

/// The image of a Kaizen model server: three layers (runtime libraries, the `kaizen` binary, the model folder) on
/// an empty base, running `kaizen models serve` on port 8080 as user 65532.
public struct ServingImage: Sendable {
    /// The model the image serves, and what the labels say about it.
    public struct Model: Sendable {
        /// The local folder with the model's files (its `MLmodel` at the top).
        public var folder: String
        public var name: String
        public var version: String?
        public var alias: String?
        public var runID: String?
        /// The URI it was resolved from.
        public var uri: String

        public init(
            folder: String, name: String, version: String? = nil, alias: String? = nil, runID: String? = nil,
            uri: String
        ) {
            self.folder = folder
            self.name = name
            self.version = version
            self.alias = alias
            self.runID = runID
            self.uri = uri
        }
    }

    public static let port = 8080
    public static let user = 65532
    public static let modelPath = "/opt/kaizen/model"
    public static let binaryPath = "/usr/local/bin/kaizen"
    static let certificates = "/etc/ssl/certs/ca-certificates.crt"

    /// The `kaizen` binary to put in the image.
    public var binary: String
    public var model: Model
    /// Labels added to (or replacing) the standard ones.
    public var labels: [String: String]
    /// Kaizen's version, for the labels.
    public var kaizenVersion: String
    /// Seconds since 1970 for every file time and the creation time.
    public var epoch: Int64

    public init(binary: String, model: Model, labels: [String: String], kaizenVersion: String, epoch: Int64) {
        self.binary = binary
        self.model = model
        self.labels = labels
        self.kaizenVersion = kaizenVersion
        self.epoch = epoch
    }

    /// The recipe: checks the binary's libraries and the model folder, and fixes the entrypoint and labels.
    public func recipe() throws(ImageError) -> ImageRecipe {
        let runtime = try RuntimeClosure(binary: binary)
        var system: [LayerEntry] = runtime.libraries.map { .file($0.imagePath, from: $0.source, mode: 0o755) }
        system += runtime.copyrights.map { .file($0.imagePath, from: $0.source) }
        if FileManager.default.fileExists(atPath: Self.certificates) {
            system.append(
                .file(String(Self.certificates.dropFirst()), from: try RuntimeClosure.real(Self.certificates)))
        }
        system += [
            .file(
                "etc/passwd",
                contents:
                    "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:\(Self.user):\(Self.user):nonroot:/home/nonroot:/sbin/nologin\n"
            ),
            .file("etc/group", contents: "root:x:0:\nnonroot:x:\(Self.user):\n"),
            .directory("home/nonroot", uid: Self.user, gid: Self.user),
            .directory("tmp", mode: 0o1777),
        ]
        let binaryLayer: [LayerEntry] = [
            .file(String(Self.binaryPath.dropFirst()), from: try RuntimeClosure.real(binary), mode: 0o755)
        ]
        let modelLayer = try ModelFolder.entries(of: model.folder, under: String(Self.modelPath.dropFirst()))

        var entrypoint = [Self.binaryPath, "models", "serve", "-m", Self.modelPath, "--model-name", model.name]
        if let version = model.version { entrypoint += ["--model-version", version] }
        entrypoint += ["-h", "0.0.0.0", "-p", String(Self.port)]
        var allLabels = [
            "org.opencontainers.image.created": ImageBuilder.timestamp(epoch),
            "org.opencontainers.image.title": model.name,
            "org.opencontainers.image.description": "Kaizen model server for \(model.name)"
                + (model.version.map { " version \($0)" } ?? ""),
            "io.kaizen.version": kaizenVersion,
            "io.kaizen.model.name": model.name,
            "io.kaizen.model.uri": model.uri,
        ]
        if let version = model.version {
            allLabels["org.opencontainers.image.version"] = version
            allLabels["io.kaizen.model.version"] = version
        }
        if let alias = model.alias { allLabels["io.kaizen.model.alias"] = alias }
        if let runID = model.runID { allLabels["io.kaizen.model.run-id"] = runID }
        allLabels.merge(labels) { _, new in new }
        var environment = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/home/nonroot"]
        if FileManager.default.fileExists(atPath: Self.certificates) {
            environment.append("SSL_CERT_FILE=\(Self.certificates)")
        }
        let configuration = ImageConfiguration(
            user: "\(Self.user):\(Self.user)", environment: environment, entrypoint: entrypoint,
            exposedPorts: ["\(Self.port)/tcp"], labels: allLabels, stopSignal: "SIGTERM",
            architecture: runtime.architecture)
        return ImageRecipe(
            layers: [
                .init(
                    description: "kaizen: runtime libraries, certificates, users", contents: try LayerContents(system)),
                .init(description: "kaizen: the kaizen binary", contents: try LayerContents(binaryLayer)),
                .init(
                    description: "kaizen: model \(model.uri)", contents: try LayerContents(modelLayer),
                    cachedByContent: true),
            ],
            configuration: configuration, epoch: epoch, diffIDLabels: ["io.kaizen.model.digest": 2])
    }
}
