import Foundation

/// Milliseconds since the Unix epoch, the timestamp unit of every MLflow field.
public func currentTimeMillis() -> Int64 {
    Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
}

/// A random 32-character lowercase hex identifier, as MLflow's `uuid4().hex`.
public func randomHexID() -> String {
    UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
}
