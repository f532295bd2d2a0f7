import KaizenCore
import KaizenRegistry

/// GitHub's `repository_dispatch` as a webhook target: a webhook whose URL is a repository's dispatches endpoint
/// (`https://api.github.com/repos/OWNER/REPO/dispatches`, or `/api/v3/repos/...` on GitHub Enterprise Server) is
/// sent GitHub's body shape, `{"event_type": "kaizen.<event>", "client_payload": <the event envelope>}`, with the
/// webhook's secret as the bearer token (a token that may create dispatch events on that repository). A workflow
/// then starts `on: repository_dispatch` with `types: [kaizen.model_version_alias.created]` and reads the model
/// from `github.event.client_payload.data`.
enum GitHubDispatch {
    /// Whether `url` is a repository's dispatches endpoint.
    static func isTarget(_ url: String) -> Bool {
        let parts = URIParts(url)
        guard parts.scheme == "https" || parts.scheme == "http" else { return false }
        var segments = parts.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.last == "" { segments = segments.dropLast() }
        if segments.starts(with: ["api", "v3"]) { segments = segments.dropFirst(2) }
        return segments.count == 4 && segments.first == "repos" && segments.last == "dispatches"
            && segments.allSatisfy { !$0.isEmpty }
    }

    /// The dispatch body for `event`, whose MLflow envelope becomes the client payload.
    static func body(for event: RegistryEvent, envelope: JSONValue) -> String {
        JSONValue.object([("event_type", .string("kaizen.\(event.type)")), ("client_payload", envelope)]).jsonText
    }

    /// The headers GitHub's REST API expects, with the webhook's secret as the token.
    static func headers(token: String) -> [(String, String)] {
        [
            ("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"),
            ("Authorization", "Bearer \(token)"),
        ]
    }
}
