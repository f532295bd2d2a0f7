/// An error from loading or running an ONNX model.
///
/// The message names what went wrong and where (node, operator, domain, opset, input), so that a user can tell a model
/// Kaizen does not support from a request that does not fit the model.
public struct ONNXError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// A stable name for the kind of failure.
        public let name: String

        private init(_ name: String) { self.name = name }

        public var description: String { name }

        /// The bytes are not a readable ONNX model (truncated, corrupt, not protobuf).
        public static let invalidProtobuf = Code("INVALID_PROTOBUF")
        /// The model is well-formed protobuf but its graph is not valid (cycle, dangling name, bad attribute).
        public static let invalidGraph = Code("INVALID_GRAPH")
        /// The model uses an operator, opset, attribute value or type that Kaizen does not implement.
        public static let notImplemented = Code("NOT_IMPLEMENTED")
        /// A caller-provided input is missing, unknown, or has the wrong type or shape.
        public static let invalidArgument = Code("INVALID_ARGUMENT")
        /// An operator failed while running on the given data (an index out of range, an unknown category).
        public static let runtimeFailure = Code("RUNTIME_EXCEPTION")
        /// A file could not be read.
        public static let fileUnavailable = Code("NO_SUCHFILE")
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message for humans.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.name): \(message)" }

    static func invalidGraph(_ message: String) -> ONNXError { ONNXError(.invalidGraph, message) }
    static func notImplemented(_ message: String) -> ONNXError { ONNXError(.notImplemented, message) }
    static func invalidArgument(_ message: String) -> ONNXError { ONNXError(.invalidArgument, message) }
    static func runtime(_ message: String) -> ONNXError { ONNXError(.runtimeFailure, message) }
}
