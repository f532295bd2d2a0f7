/// What a server answers with: one model, or the versions of an endpoint with their traffic weights and shadow
/// shares. A request takes the plan once and is routed within it, so a weight change never splits a request.
public struct ServingPlan: Sendable {
    /// A model and its share, in percent.
    public struct Share: Sendable {
        public var model: ScoringModel
        public var percent: Int

        public init(model: ScoringModel, percent: Int) {
            self.model = model
            self.percent = percent
        }
    }

    /// Who answers; percentages summing to 100.
    public let traffic: [Share]
    /// Who also gets a copy of a share of the requests, never answering.
    public let shadow: [Share]
    /// The endpoint's revision this plan was built from (0 for a single model).
    public let revision: Int64

    /// A plan of one model that answers everything.
    public init(model: ScoringModel) {
        self.init(traffic: [Share(model: model, percent: 100)], shadow: [], revision: 0)
    }

    /// A plan over an endpoint's versions. `traffic` must not be empty; its percentages should sum to 100 (any
    /// remainder goes to the last share).
    public init(traffic: [Share], shadow: [Share], revision: Int64) {
        precondition(!traffic.isEmpty, "a serving plan needs a model that answers")
        self.traffic = traffic
        self.shadow = shadow
        self.revision = revision
    }

    /// The model that answers most of the traffic: what single-model paths (metadata, logs) report.
    public var primary: ScoringModel {
        traffic.max { $0.percent < $1.percent }?.model ?? traffic[0].model
    }

    /// Every loaded model: the answering ones, then the shadows.
    public var models: [ScoringModel] { traffic.map(\.model) + shadow.map(\.model) }

    /// The model that answers a request: by a hash of `routingKey` when there is one (the same key always gets the
    /// same version while the weights stay), else at random.
    public func route(_ routingKey: String?) -> ScoringModel {
        guard traffic.count > 1 else { return traffic[0].model }
        let point = Self.point(routingKey, salt: 0)
        var cumulative = 0
        for share in traffic {
            cumulative += share.percent
            if point < cumulative { return share.model }
        }
        return traffic[traffic.count - 1].model
    }

    /// The shadow models that also get this request, each with its own share.
    public func shadows(_ routingKey: String?) -> [ScoringModel] {
        shadow.enumerated().compactMap { index, share in
            Self.point(routingKey, salt: UInt64(index + 1)) < share.percent ? share.model : nil
        }
    }

    /// The model of `version`, answering or shadow.
    public func model(version: String) -> ScoringModel? {
        models.first { $0.version == version }
    }

    /// A number from 0 to 99: from the key's FNV-1a hash when given, else random.
    static func point(_ key: String?, salt: UInt64) -> Int {
        guard let key else { return Int.random(in: 0..<100) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ salt
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        // Fold the high bits in: FNV's low bits alone are weakly mixed for short keys.
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Int(hash % 100)
    }
}
