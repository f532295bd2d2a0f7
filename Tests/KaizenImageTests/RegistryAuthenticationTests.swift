import Foundation
import Testing

@testable import KaizenImage

struct RegistryAuthenticationTests {
    @Test func bearerChallenge() throws {
        let challenge = try #require(
            AuthenticationChallenge(
                #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push""#
            ))
        #expect(challenge.scheme == "bearer")
        #expect(challenge.parameters["realm"] == "https://auth.example.com/token")
        #expect(challenge.parameters["service"] == "registry.example.com")
        #expect(challenge.parameters["scope"] == "repository:a/b:pull,push")
    }

    @Test func basicChallengeWithEscapes() throws {
        let challenge = try #require(AuthenticationChallenge(#"Basic realm="Registry \"Realm\"", charset=UTF-8"#))
        #expect(challenge.scheme == "basic")
        #expect(challenge.parameters["realm"] == #"Registry "Realm""#)
        #expect(challenge.parameters["charset"] == "UTF-8")
        #expect(AuthenticationChallenge("Basic")?.scheme == "basic")
    }

    func folder(with files: [String: String]) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-auth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: folder.appendingPathComponent(name)) }
        return folder
    }

    @Test func credentialsFromDockerConfig() throws {
        let auth = Data("ci:s3cret:with:colons".utf8).base64EncodedString()
        let folder = try folder(with: [
            "config.json":
                #"{"auths": {"https://index.docker.io/v1/": {"auth": "\#(auth)"}, "reg.example.com:5000": {"username": "u", "password": "p"}}}"#
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["DOCKER_CONFIG": folder.path]
        #expect(
            try RegistryCredentials.lookup(registry: "docker.io", environment: environment)
                == RegistryCredentials(username: "ci", password: "s3cret:with:colons"))
        #expect(
            try RegistryCredentials.lookup(registry: "reg.example.com:5000", environment: environment)
                == RegistryCredentials(username: "u", password: "p"))
        #expect(try RegistryCredentials.lookup(registry: "other.example.com", environment: environment) == nil)
    }

    @Test func environmentWinsAndAuthFileComesBeforeDockerConfig() throws {
        let folder = try folder(with: [
            "auth.json":
                #"{"auths": {"reg.example.com": {"auth": "\#(Data("podman:pw".utf8).base64EncodedString())"}}}"#,
            "config.json":
                #"{"auths": {"reg.example.com": {"auth": "\#(Data("docker:pw".utf8).base64EncodedString())"}}}"#,
        ])
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = ["REGISTRY_AUTH_FILE": folder.path + "/auth.json", "DOCKER_CONFIG": folder.path]
        #expect(
            try RegistryCredentials.lookup(registry: "reg.example.com", environment: environment)?.username == "podman")
        environment["KAIZEN_REGISTRY_USERNAME"] = "env"
        environment["KAIZEN_REGISTRY_PASSWORD"] = "pw"
        #expect(
            try RegistryCredentials.lookup(registry: "reg.example.com", environment: environment)?.username == "env")
    }

    @Test func malformedConfigIsANamedError() throws {
        let folder = try folder(with: ["config.json": #"{"auths": {"reg.example.com": {"auth": "not base64!"}}}"#])
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try RegistryCredentials.lookup(registry: "reg.example.com", environment: ["DOCKER_CONFIG": folder.path])
            Issue.record("a malformed auth entry was accepted")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("config.json"))
        }
    }
}
