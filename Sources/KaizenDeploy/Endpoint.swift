public import KaizenCore

/// A version's share of an endpoint's traffic, in percent.
public struct VersionWeight: Sendable, Equatable, Hashable {
    public var version: Int64
    /// 0 to 100.
    public var weight: Int

    public init(version: Int64, weight: Int) {
        self.version = version
        self.weight = weight
    }
}

/// A name that callers use, bound to a registered model and a traffic assignment over its versions: `fraud` →
/// `fraud-model` {v3: 90, v4: 10}, with optional shadow traffic (a percentage of requests also sent to a version
/// whose answers are compared, never returned).
public struct Endpoint: Sendable, Equatable {
    public var name: String
    /// The registered model whose versions serve.
    public var modelName: String
    /// Who answers: weights in percent that sum to 100, ordered by version.
    public var traffic: [VersionWeight]
    /// Who also sees requests, as a percentage of them, without answering.
    public var shadow: [VersionWeight]
    /// An alias whose moves start a rollout to the version it names.
    public var followAlias: String?
    /// How those rollouts go; nil for the default canary.
    public var aliasRollout: AliasRollout?
    public var description: String
    /// Increases with every change; replicas compare it to know when to reload.
    public var revision: Int64
    public var creationTimestamp: Int64
    public var lastUpdatedTimestamp: Int64

    public init(
        name: String, modelName: String, traffic: [VersionWeight], shadow: [VersionWeight] = [],
        followAlias: String? = nil, aliasRollout: AliasRollout? = nil, description: String = "", revision: Int64 = 1,
        creationTimestamp: Int64, lastUpdatedTimestamp: Int64
    ) {
        self.name = name
        self.modelName = modelName
        self.traffic = traffic
        self.shadow = shadow
        self.followAlias = followAlias
        self.aliasRollout = aliasRollout
        self.description = description
        self.revision = revision
        self.creationTimestamp = creationTimestamp
        self.lastUpdatedTimestamp = lastUpdatedTimestamp
    }

    /// Every version a replica must load: those with traffic or shadow traffic.
    public var servedVersions: [Int64] {
        Array(Set((traffic + shadow).filter { $0.weight > 0 }.map(\.version))).sorted()
    }

    /// The endpoint as the REST API returns it.
    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("name", .string(name)), ("model_name", .string(modelName)),
            ("traffic", Self.weightsJSON(traffic)), ("shadow", Self.weightsJSON(shadow)),
        ]
        if let followAlias { fields.append(("follow_alias", .string(followAlias))) }
        if let aliasRollout { fields.append(("alias_rollout", aliasRollout.json)) }
        fields += [
            ("description", .string(description)), ("revision", .integer(revision)),
            ("creation_timestamp", .integer(creationTimestamp)),
            ("last_updated_timestamp", .integer(lastUpdatedTimestamp)),
        ]
        return .object(fields)
    }

    /// `[{"version": "3", "weight": 90}, ...]`: versions as strings, as MLflow writes them.
    public static func weightsJSON(_ weights: [VersionWeight]) -> JSONValue {
        .array(
            weights.map {
                .object([("version", .string(String($0.version))), ("weight", .integer(Int64($0.weight)))])
            })
    }

    /// Weights from the REST shape: a list of `{"version", "weight"}` (version as a string or a number).
    public static func weights(from value: JSONValue?, field: String) throws(KaizenError) -> [VersionWeight] {
        guard let value, value != .null else { return [] }
        guard let items = value.arrayValue else {
            throw .invalidParameter("'\(field)' must be a list of {\"version\", \"weight\"} objects")
        }
        return try items.map { item throws(KaizenError) -> VersionWeight in
            let version: Int64?
            switch item["version"] {
            case .string(let text)?: version = Int64(text)
            case .integer(let number)?: version = number
            default: version = nil
            }
            guard let version, version > 0 else {
                throw .invalidParameter("Each entry of '\(field)' needs a positive integer 'version'")
            }
            guard case .integer(let weight)? = item["weight"], (0...100).contains(weight) else {
                throw .invalidParameter("Each entry of '\(field)' needs an integer 'weight' from 0 to 100")
            }
            return VersionWeight(version: version, weight: Int(weight))
        }
    }
}
