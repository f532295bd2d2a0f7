import Foundation
import PostgresNIO

/// Where a PostgreSQL database is, read from a backend store URI as MLflow users write it:
/// `postgresql://user:password@host:5432/db`, also `postgres://` and `postgresql+psycopg2://`, with
/// `?host=/socket/dir` for a Unix socket and `?sslmode=disable|prefer|require`.
public struct PostgresLocation: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The directory of the server's Unix socket, when the URI names one (`?host=/dir`).
    public var socketDirectory: String?
    public var username: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode

    /// How the connection uses TLS, as libpq's `sslmode` says.
    public enum SSLMode: String, Sendable {
        case disable, prefer, require
    }

    /// True when `uri` names a PostgreSQL database (whatever else is wrong with it).
    public static func isPostgres(_ uri: String) -> Bool {
        let scheme = uri.prefix { $0 != ":" }.lowercased()
        return scheme == "postgresql" || scheme == "postgres" || scheme.hasPrefix("postgresql+")
    }

    /// Reads a backend store URI; a clear error for anything that is not a complete PostgreSQL URI.
    public init(uri: String) throws {
        guard Self.isPostgres(uri), let schemeEnd = uri.range(of: "://") else {
            throw PostgresStoreError("'\(Self.redacted(uri))' is not a PostgreSQL URI (postgresql://user@host/db)")
        }
        // URLComponents does not take '+' schemes such as postgresql+psycopg2 in every version: parse a plain one.
        guard let components = URLComponents(string: "postgresql" + uri[schemeEnd.lowerBound...]) else {
            throw PostgresStoreError("The PostgreSQL URI '\(Self.redacted(uri))' cannot be parsed")
        }
        let query = Dictionary(
            (components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? ""
        if host.isEmpty, socketDirectory == nil {
            throw PostgresStoreError("The PostgreSQL URI '\(Self.redacted(uri))' names no host")
        }
        port = components.port ?? query["port"].flatMap(Int.init) ?? 5432
        guard (1...65535).contains(port) else { throw PostgresStoreError("The PostgreSQL port \(port) is not valid") }
        username = components.user.flatMap { $0.removingPercentEncoding } ?? query["user"] ?? "postgres"
        password = components.password.flatMap { $0.removingPercentEncoding } ?? query["password"]
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        database = path.removingPercentEncoding ?? path
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresStoreError("The PostgreSQL URI '\(Self.redacted(uri))' names no database")
        }
        let mode = query["sslmode"] ?? "prefer"
        switch mode {
        case "disable", "allow": sslMode = .disable
        case "prefer": sslMode = .prefer
        case "require", "verify-ca", "verify-full": sslMode = .require
        default: throw PostgresStoreError("Unsupported sslmode '\(mode)': use disable, prefer or require")
        }
    }

    /// The URI with its password replaced, for messages and logs.
    public static func redacted(_ uri: String) -> String {
        guard let at = uri.lastIndex(of: "@"), let schemeEnd = uri.range(of: "://"), schemeEnd.upperBound < at,
            let colon = uri[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return uri }
        return String(uri[..<uri.index(after: colon)]) + "***" + uri[at...]
    }

    /// The client configuration for this location: TCP or the Unix socket, TLS as `sslMode` asks, and at most
    /// `maximumConnections` pooled connections.
    func configuration(maximumConnections: Int) throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketDirectory {
            configuration = .init(
                unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch sslMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(.makeClientConfiguration())
            case .require: tls = .require(.makeClientConfiguration())
            }
            configuration = .init(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.maximumConnections = maximumConnections
        configuration.options.minimumConnections = 0
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = [("application_name", "kaizen")]
        return configuration
    }
}
