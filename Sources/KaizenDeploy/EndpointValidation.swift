import KaizenCore

/// The rules an endpoint's name and traffic follow.
enum EndpointValidation {
    /// Letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128: safe in URLs, file names and
    /// command lines.
    static func validateName(_ name: String) throws(KaizenError) {
        try ResourceName.validate(name, field: "endpoint name")
    }

    static func validateAlias(_ alias: String) throws(KaizenError) {
        guard !alias.isEmpty, alias.count <= 255,
            alias.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-".contains($0)) })
        else { throw .invalidParameter("Invalid alias '\(alias)' to follow") }
    }

    /// Weights in percent, each version once, summing to 100; sorted by version, zero weights dropped.
    static func traffic(_ weights: [VersionWeight]) throws(KaizenError) -> [VersionWeight] {
        try checkUnique(weights, field: "traffic")
        guard weights.allSatisfy({ (0...100).contains($0.weight) && $0.version > 0 }) else {
            throw .invalidParameter("Traffic weights are percentages from 0 to 100 for positive versions")
        }
        let total = weights.reduce(0) { $0 + $1.weight }
        guard total == 100 else {
            throw .invalidParameter("Traffic weights must sum to 100; they sum to \(total)")
        }
        return weights.filter { $0.weight > 0 }.sorted { $0.version < $1.version }
    }

    /// Shadow percentages: each version once, 1 to 100, and not a version that already answers.
    static func shadow(_ weights: [VersionWeight], traffic: [VersionWeight]) throws(KaizenError) -> [VersionWeight] {
        try checkUnique(weights, field: "shadow")
        guard weights.allSatisfy({ (0...100).contains($0.weight) && $0.version > 0 }) else {
            throw .invalidParameter("Shadow weights are percentages from 0 to 100 for positive versions")
        }
        let answering = Set(traffic.filter { $0.weight > 0 }.map(\.version))
        if let both = weights.first(where: { $0.weight > 0 && answering.contains($0.version) }) {
            throw .invalidParameter("Version \(both.version) already answers; it cannot also be a shadow")
        }
        return weights.filter { $0.weight > 0 }.sorted { $0.version < $1.version }
    }

    static func checkUnique(_ weights: [VersionWeight], field: String) throws(KaizenError) {
        var seen: Set<Int64> = []
        for weight in weights where !seen.insert(weight.version).inserted {
            throw .invalidParameter("Version \(weight.version) appears twice in '\(field)'")
        }
    }
}
