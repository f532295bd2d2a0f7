import Foundation
import KaizenCore
import KaizenServing

/// The access log's writer: one line per request on standard output, or nothing when turned off.
public struct AccessLog: Sendable {
    public let enabled: Bool

    public init(enabled: Bool) {
        self.enabled = enabled
    }

    func write(
        method: String, path: String, status: Int, duration: Duration, model: ScoringModel?, rows: Int,
        error: String?
    ) {
        guard enabled else { return }
        let (seconds, attoseconds) = duration.components
        let milliseconds = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        var line: [UInt8] = []
        line.reserveCapacity(256)
        var fields: [(String, JSONValue)] = [
            ("ts", .string(Date().formatted(.iso8601))), ("method", .string(method)), ("path", .string(path)),
            ("status", .integer(Int64(status))), ("ms", .double((milliseconds * 1000).rounded() / 1000)),
            ("model", .string(model?.name ?? "")), ("version", .string(model?.version ?? "")),
            ("rows", .integer(Int64(rows))),
        ]
        if let error { fields.append(("error", .string(String(error.prefix(300))))) }
        JSONValue.object(fields).write(to: &line)
        line.append(0x0A)
        line.withUnsafeBytes { bytes in
            _ = Foundation.write(STDOUT_FILENO, bytes.baseAddress, bytes.count)
        }
    }
}
