/// A storage failure that is the operator's to fix (a bad URI, an unwritable file).
public struct StorageError: Error, CustomStringConvertible {
    public var description: String

    init(_ description: String) {
        self.description = description
    }
}
