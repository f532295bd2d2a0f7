import KaizenCore

/// What a container of the image runs and how: the `config` part of an OCI image configuration.
public struct ImageConfiguration: Sendable, Equatable {
    /// `uid:gid` the process runs as.
    public var user: String
    public var environment: [String]
    public var entrypoint: [String]
    public var command: [String]
    /// For example `8080/tcp`.
    public var exposedPorts: [String]
    public var workingDirectory: String
    /// Labels; written sorted by key.
    public var labels: [String: String]
    public var stopSignal: String
    /// `amd64`, `arm64`.
    public var architecture: String
    public var os: String

    public init(
        user: String, environment: [String], entrypoint: [String], command: [String] = [],
        exposedPorts: [String] = [], workingDirectory: String = "/", labels: [String: String] = [:],
        stopSignal: String = "SIGTERM", architecture: String, os: String = "linux"
    ) {
        self.user = user
        self.environment = environment
        self.entrypoint = entrypoint
        self.command = command
        self.exposedPorts = exposedPorts
        self.workingDirectory = workingDirectory
        self.labels = labels
        self.stopSignal = stopSignal
        self.architecture = architecture
        self.os = os
    }

    static let configMediaType = "application/vnd.oci.image.config.v1+json"
    static let manifestMediaType = "application/vnd.oci.image.manifest.v1+json"

    /// The image configuration document for layers with these diff ids, each with the history line that says what
    /// it holds; `created` is the build's fixed time.
    func document(diffIDs: [String], history: [String], created: String) -> [UInt8] {
        var config: [(String, JSONValue)] = [("User", .string(user))]
        if !exposedPorts.isEmpty {
            config.append(("ExposedPorts", .object(exposedPorts.sorted().map { ($0, .object([])) })))
        }
        config += [
            ("Env", .array(environment.map(JSONValue.string))),
            ("Entrypoint", .array(entrypoint.map(JSONValue.string))),
        ]
        if !command.isEmpty { config.append(("Cmd", .array(command.map(JSONValue.string)))) }
        config += [
            ("WorkingDir", .string(workingDirectory)),
            ("Labels", .object(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("StopSignal", .string(stopSignal)),
        ]
        let document = JSONValue.object([
            ("created", .string(created)), ("architecture", .string(architecture)), ("os", .string(os)),
            ("config", .object(config)),
            ("rootfs", .object([("type", "layers"), ("diff_ids", .array(diffIDs.map(JSONValue.string)))])),
            (
                "history",
                .array(
                    history.map {
                        .object([("created", .string(created)), ("created_by", .string($0))])
                    })
            ),
        ])
        return document.serialized()
    }

    /// The image manifest for a config and its layers.
    static func manifest(config: Descriptor, layers: [Descriptor]) -> [UInt8] {
        JSONValue.object([
            ("schemaVersion", 2), ("mediaType", .string(manifestMediaType)), ("config", config.json),
            ("layers", .array(layers.map(\.json))),
        ]).serialized()
    }
}
