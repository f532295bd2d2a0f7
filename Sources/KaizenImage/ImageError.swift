/// A failure to build, export or push an image, with a message that names the file, the registry or the digest
/// involved.
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; new codes break no caller.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's name, for example `unsafe_file`.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        public var description: String { name }

        /// An argument (a reference, a label, an output) is malformed.
        public static let invalidArgument = Code("invalid_argument")
        /// A file that would go into a layer is refused: a link out of its folder, an absolute or overlong name,
        /// a special file.
        public static let unsafeFile = Code("unsafe_file")
        /// Reading or writing a local file failed.
        public static let io = Code("io")
        /// The binary's shared libraries could not be found or read.
        public static let runtime = Code("runtime")
        /// The registry refused the credentials, or asked for some and none were given.
        public static let authentication = Code("authentication")
        /// The registry answered a digest other than the one sent.
        public static let digestMismatch = Code("digest_mismatch")
        /// The registry could not be reached or answered something unexpected.
        public static let registry = Code("registry")
    }

    /// What kind of failure this is.
    public var code: Code
    /// A message for the user.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
