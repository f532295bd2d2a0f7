import ArgumentParser
import Foundation
import KaizenClient

/// Options shared by the client commands.
struct ClientOptions: ParsableArguments {
    @Option(help: "Tracking server URL (default: $MLFLOW_TRACKING_URI, else http://127.0.0.1:5000).")
    var trackingURI: String?

    func client() throws -> TrackingClient {
        let uri = trackingURI ?? ProcessInfo.processInfo.environment["MLFLOW_TRACKING_URI"] ?? "http://127.0.0.1:5000"
        return try TrackingClient(trackingURI: uri)
    }
}

/// Milliseconds since the epoch as a readable UTC time.
func formatTime(_ millis: Int64?) -> String {
    guard let millis, millis > 0 else { return "-" }
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
}
