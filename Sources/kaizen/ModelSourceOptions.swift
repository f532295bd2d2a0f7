import ArgumentParser
import Foundation
import KaizenClient
import KaizenServing

/// Options that name a model and the tracking server to find it on.
struct ModelSourceOptions: ParsableArguments {
    @Option(
        name: [.customShort("m"), .customLong("model-uri")],
        help: ArgumentHelp(
            "models:/name/3, models:/name/Production, models:/name@alias, models:/m-<id>, runs:/<run>/<path>, "
                + "an MLflow model folder or an .onnx file."))
    var modelURI: String?

    @Option(help: "Tracking server URL for models:/ and runs:/ URIs (default: $MLFLOW_TRACKING_URI).")
    var trackingURI: String?

    func reference() throws -> ModelReference {
        guard let modelURI else { throw ValidationError("Missing expected argument '--model-uri <model-uri>' (-m)") }
        return try ModelReference(parsing: modelURI)
    }

    func locator() throws -> ModelLocator {
        let uri = trackingURI ?? ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"]
        return ModelLocator(client: try uri.map { try TrackingClient(trackingURI: $0) })
    }

    /// Resolves, downloads (into a temporary folder, removed once loaded) and loads the model.
    static func load(_ located: LocatedModel, with locator: ModelLocator) async throws -> ScoringModel {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "kaizen-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let folder = try await locator.fetch(located, into: scratch)
        return try ScoringModel(package: try ModelPackage(at: folder), name: located.name, version: located.version)
    }
}
