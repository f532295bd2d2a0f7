/// The URL of one S3 request, kept in parts so that the signer sees exactly the bytes that go on the wire.
///
/// The path is already encoded (`S3URL.encodePath`); query items are raw and encoded when the URL is written.
public struct S3URL: Sendable, Equatable {
    /// `http` or `https`.
    public var scheme: String
    /// Host name, with `:port` when the port is not the scheme's default.
    public var authority: String
    /// The encoded path, starting with `/`.
    public var path: String
    /// Raw query items in order; a nil value is written as the bare key (`?uploads`).
    public var query: [(name: String, value: String?)]

    /// A URL from its parts; `path` must already be encoded.
    public init(scheme: String, authority: String, path: String, query: [(name: String, value: String?)] = []) {
        self.scheme = scheme
        self.authority = authority
        self.path = path
        self.query = query
    }

    public static func == (lhs: S3URL, rhs: S3URL) -> Bool {
        lhs.scheme == rhs.scheme && lhs.authority == rhs.authority && lhs.path == rhs.path
            && lhs.query.elementsEqual(rhs.query) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The query as sent: each name and value percent-encoded, everything but `A-Z a-z 0-9 - _ . ~` escaped.
    public var encodedQuery: String {
        query.map { item in
            let name = Self.encode(item.name, keepingSlash: false)
            guard let value = item.value else { return name }
            return name + "=" + Self.encode(value, keepingSlash: false)
        }.joined(separator: "&")
    }

    /// The whole URL as a string.
    public var string: String {
        let query = encodedQuery
        return scheme + "://" + authority + path + (query.isEmpty ? "" : "?" + query)
    }

    /// The `Host` header: the authority in lower case, without a default port.
    public var hostHeader: String {
        var host = authority.lowercased()
        let defaultPort = scheme.lowercased() == "https" ? ":443" : ":80"
        if host.hasSuffix(defaultPort), !host.hasSuffix("]") { host.removeLast(defaultPort.count) }
        return host
    }

    /// Encodes an object key (or any path) for a URL the way S3 and botocore do: UTF-8 bytes, unreserved
    /// characters and `/` kept, everything else `%XX` in upper case.
    public static func encodePath(_ path: String) -> String {
        encode(path, keepingSlash: true)
    }

    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Percent-encodes every byte of `text` but the unreserved characters (and `/` when `keepingSlash`).
    static func encode(_ text: String, keepingSlash: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                bytes.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                bytes.append(byte)
            default:
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
