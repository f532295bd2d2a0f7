public import Foundation
import KaizenCore

/// A user name and password (or token) for a registry, found where Docker, Podman and skopeo keep them.
public struct RegistryCredentials: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The credentials for `registry`, looked up in order: `KAIZEN_REGISTRY_USERNAME` and
    /// `KAIZEN_REGISTRY_PASSWORD`; the containers auth file (`REGISTRY_AUTH_FILE`, else
    /// `$XDG_RUNTIME_DIR/containers/auth.json`); Docker's `config.json` (`$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`). Nil when none names the registry; an error when a file is malformed.
    public static func lookup(
        registry: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ImageError) -> RegistryCredentials? {
        if let username = environment["KAIZEN_REGISTRY_USERNAME"],
            let password = environment["KAIZEN_REGISTRY_PASSWORD"]
        {
            return RegistryCredentials(username: username, password: password)
        }
        var files: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"] {
            files.append(file)
        } else if let runtime = environment["XDG_RUNTIME_DIR"] {
            files.append(runtime + "/containers/auth.json")
        }
        if let folder = environment["DOCKER_CONFIG"] {
            files.append(folder + "/config.json")
        } else if let home = environment["HOME"] {
            files.append(home + "/.docker/config.json")
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            if let found = try credentials(in: Array(data), file: file, registry: registry) { return found }
        }
        return nil
    }

    /// The keys a config file may use for `registry`.
    static func keys(for registry: String) -> [String] {
        var hosts = [registry]
        if registry == "docker.io" { hosts += ["index.docker.io", "registry-1.docker.io"] }
        var keys: [String] = registry == "docker.io" ? ["https://index.docker.io/v1/"] : []
        for host in hosts {
            keys += [host, "https://\(host)", "http://\(host)", "https://\(host)/v1/", "https://\(host)/v2/"]
        }
        return keys
    }

    static func credentials(in data: [UInt8], file: String, registry: String) throws(ImageError) -> RegistryCredentials?
    {
        let document: JSONValue
        do { document = try JSONValue(parsing: data) } catch {
            throw ImageError(.invalidArgument, "\(file) is not valid JSON: \(error)")
        }
        for key in keys(for: registry) {
            guard let entry = document["auths"]?[key] else { continue }
            if let username = entry["username"]?.stringValue, let password = entry["password"]?.stringValue {
                return RegistryCredentials(username: username, password: password)
            }
            guard let auth = entry["auth"]?.stringValue else { continue }
            guard let decoded = Data(base64Encoded: auth).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else {
                throw ImageError(.invalidArgument, "\(file): the auth entry for \(key) is not base64 of user:password")
            }
            return RegistryCredentials(
                username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        }
        return nil
    }

    /// The `Authorization` value for HTTP Basic.
    var basic: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}
