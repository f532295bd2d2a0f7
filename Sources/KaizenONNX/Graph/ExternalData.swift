import Foundation

/// Reads tensor data stored in a file beside the model (`data_location = EXTERNAL`).
///
/// The location must be a relative path that stays inside the model's folder once symbolic links are resolved: a model
/// file from elsewhere must not be able to read arbitrary files through it.
enum ExternalData {
    static func read(_ proto: Onnx_TensorProto, name: String, baseDirectory: URL?) throws(ONNXError) -> Data {
        guard let baseDirectory else {
            throw .invalidGraph(
                "tensor '\(name)' keeps its data in an external file, but the model was not loaded from a file")
        }
        var location: String?
        var offset = 0
        var length: Int?
        for entry in proto.externalData {
            switch entry.key {
            case "location": location = entry.value
            case "offset":
                guard let value = Int(entry.value), value >= 0 else {
                    throw .invalidGraph("tensor '\(name)': external data offset '\(entry.value)' is not a valid number")
                }
                offset = value
            case "length":
                guard let value = Int(entry.value), value >= 0 else {
                    throw .invalidGraph("tensor '\(name)': external data length '\(entry.value)' is not a valid number")
                }
                length = value
            default: continue
            }
        }
        guard let location, !location.isEmpty else {
            throw .invalidGraph("tensor '\(name)': external data has no location")
        }
        let url = try resolve(location, in: baseDirectory, tensor: name)
        guard let handle = try? FileHandle(forReadingFrom: url) else {
            throw ONNXError(.fileUnavailable, "tensor '\(name)': cannot open external data file '\(location)'")
        }
        defer { try? handle.close() }
        do {
            let size = Int(try handle.seekToEnd())
            let byteCount = length ?? (size - offset)
            guard offset <= size, byteCount >= 0, byteCount <= size - offset else {
                throw ONNXError.invalidGraph(
                    "tensor '\(name)': external data range \(offset)+\(byteCount) is outside '\(location)' (\(size) bytes)"
                )
            }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: byteCount) ?? Data()
            guard data.count == byteCount else {
                throw ONNXError.invalidGraph("tensor '\(name)': external data file '\(location)' is truncated")
            }
            return data
        } catch let error as ONNXError {
            throw error
        } catch {
            throw ONNXError(.fileUnavailable, "tensor '\(name)': cannot read external data file '\(location)'")
        }
    }

    /// The file for a location, refused when it leaves the model's folder.
    static func resolve(_ location: String, in baseDirectory: URL, tensor name: String) throws(ONNXError) -> URL {
        let components = location.split(separator: "/", omittingEmptySubsequences: false)
        let hostile =
            location.hasPrefix("/") || location.contains("\\") || location.contains("\0") || location.contains(":")
            || components.contains { $0 == ".." || $0 == "." || $0.isEmpty }
        guard !hostile else {
            throw .invalidGraph(
                "tensor '\(name)': external data location '\(location)' must be a relative path inside the model's folder"
            )
        }
        let root = baseDirectory.resolvingSymlinksInPath().standardizedFileURL.path
        let file = baseDirectory.appendingPathComponent(location).resolvingSymlinksInPath().standardizedFileURL
        guard file.path.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            throw .invalidGraph("tensor '\(name)': external data location '\(location)' leaves the model's folder")
        }
        return file
    }
}
