import Foundation

/// A position in a paged listing, written as MLflow writes it: base64 of `{"offset": N}`.
///
/// Clients treat tokens as opaque; keeping MLflow's form means a token from either server reads the same.
public struct PageToken: Sendable, Equatable {
    /// How many results come before the page this token starts.
    public var offset: Int

    public init(offset: Int) {
        self.offset = offset
    }

    /// Decodes a token a client sent back; an absent or empty token is the first page.
    public init(decoding token: String?) throws(KaizenError) {
        guard let token, !token.isEmpty else {
            self.offset = 0
            return
        }
        guard let data = Data(base64Encoded: token),
            let json = try? JSONValue(parsing: Array(data)),
            let offset = json["offset"]?.int64Value, offset >= 0, offset <= Int64(Int32.max)
        else {
            throw .invalidParameter("Invalid page token, could not base64-decode")
        }
        self.offset = Int(offset)
    }

    /// The token text.
    public var encoded: String {
        Data("{\"offset\": \(offset)}".utf8).base64EncodedString()
    }
}
