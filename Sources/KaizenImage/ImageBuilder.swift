import Foundation

/// The layers and configuration of an image to build.
public struct ImageRecipe: Sendable {
    /// One layer: what it holds (for the image history) and its entries.
    public struct LayerRecipe: Sendable {
        public var description: String
        public var contents: LayerContents
        /// Whether the cache recognizes the layer by its files' contents rather than their identity on disk: for
        /// files copied anew for each build (a downloaded model).
        public var cachedByContent: Bool

        public init(description: String, contents: LayerContents, cachedByContent: Bool = false) {
            self.description = description
            self.contents = contents
            self.cachedByContent = cachedByContent
        }
    }

    public var layers: [LayerRecipe]
    public var configuration: ImageConfiguration
    /// Seconds since 1970 for every file time and the config's `created` (`SOURCE_DATE_EPOCH`; 0 by default).
    public var epoch: Int64
    /// Labels whose value is the diff id of a layer (by index), known once the layer is built.
    public var diffIDLabels: [String: Int]

    public init(
        layers: [LayerRecipe], configuration: ImageConfiguration, epoch: Int64, diffIDLabels: [String: Int] = [:]
    ) {
        self.layers = layers
        self.configuration = configuration
        self.epoch = epoch
        self.diffIDLabels = diffIDLabels
    }
}

/// A built image: its manifest, config and layers, all in the builder's store.
public struct BuiltImage: Sendable, Equatable {
    public var manifest: Descriptor
    public var config: Descriptor
    public var layers: [Layer]
    /// For each layer, whether it came from the cache rather than being written.
    public var reused: [Bool]

    /// Every blob the manifest refers to, layers first, config last: the order a push uploads them in.
    public var blobs: [Descriptor] { layers.map(\.descriptor) + [config] }
}

/// Builds images into a ``BlobStore``: each layer is written once (or taken from the cache when its inputs did
/// not change), then the config and the manifest. The same recipe and epoch give byte-identical blobs.
public struct ImageBuilder: Sendable {
    public let store: BlobStore
    /// gzip level for layers.
    public var compressionLevel: Int32
    /// Whether unchanged layers are taken from the cache.
    public var useCache: Bool

    public init(store: BlobStore, compressionLevel: Int32 = 6, useCache: Bool = true) {
        self.store = store
        self.compressionLevel = compressionLevel
        self.useCache = useCache
    }

    public func build(_ recipe: ImageRecipe) throws(ImageError) -> BuiltImage {
        let writer = LayerWriter(epoch: recipe.epoch, level: compressionLevel)
        let cache = LayerCache(store: store)
        var layers: [Layer] = []
        var reused: [Bool] = []
        for layer in recipe.layers {
            let fingerprint = cache.fingerprint(layer.contents, writer: writer, byContent: layer.cachedByContent)
            if useCache, let fingerprint, let cached = cache.layer(for: fingerprint) {
                layers.append(cached)
                reused.append(true)
                continue
            }
            let scratch = store.scratchPath()
            let built = try writer.write(layer.contents, to: scratch)
            try store.adopt(scratch, as: built.descriptor.digest)
            if let fingerprint { cache.remember(built, for: fingerprint) }
            layers.append(built)
            reused.append(false)
        }
        var configuration = recipe.configuration
        for (label, index) in recipe.diffIDLabels where layers.indices.contains(index) {
            configuration.labels[label] = layers[index].diffID
        }
        let document = configuration.document(
            diffIDs: layers.map(\.diffID), history: recipe.layers.map(\.description),
            created: Self.timestamp(recipe.epoch))
        let config = try store.store(document, mediaType: ImageConfiguration.configMediaType)
        let manifest = try store.store(
            ImageConfiguration.manifest(config: config, layers: layers.map(\.descriptor)),
            mediaType: ImageConfiguration.manifestMediaType)
        return BuiltImage(manifest: manifest, config: config, layers: layers, reused: reused)
    }

    /// RFC 3339 in UTC, to the second.
    static func timestamp(_ epoch: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }
}
