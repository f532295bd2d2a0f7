/// The names Kaizen gives its own resources (endpoints, inference logs): safe as a path segment and in a URL query
/// as they are, so no encoding of them can reach another resource's files.
public enum ResourceName {
    /// The most characters a name has.
    public static let maximumLength = 128

    /// Letters, digits, '.', '_' and '-', starting with a letter or a digit, at most 128 characters; otherwise an
    /// `INVALID_PARAMETER_VALUE` naming `field` ("endpoint name") and the start of the name.
    public static func validate(_ name: String, field: String) throws(KaizenError) {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber,
            name.utf8.count <= maximumLength,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw .invalidParameter(
                "Invalid \(field) '\(name.prefix(200))': letters, digits, '.', '_' and '-', starting with a letter "
                    + "or a digit, at most \(maximumLength) characters")
        }
    }
}
