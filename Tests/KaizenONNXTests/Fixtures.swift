import Foundation
import Testing

/// The ONNX fixtures that `make onnx-fixtures` generates with Python: models converted from scikit-learn, XGBoost and
/// LightGBM with onnxruntime's outputs (`parity/`), and ONNX's backend node tests (`node/`).
///
/// Suites that read them carry `.enabled(if: Fixtures.available, Fixtures.missing)`, so that `swift test` on a fresh
/// clone without Python skips them and says why; `make test` generates the fixtures first and runs everything.
enum Fixtures {
    /// The fixtures root: `$KAIZEN_ONNX_FIXTURES`, else `.fixtures/onnx` in the package.
    static var root: URL {
        if let path = ProcessInfo.processInfo.environment["KAIZEN_ONNX_FIXTURES"] {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".fixtures/onnx")
    }

    /// Whether the fixtures folder exists.
    static var available: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Why a suite that needs the fixtures is skipped.
    static let missing: Comment = "needs .fixtures/onnx: run make onnx-fixtures"
}
