import KaizenCore
import KaizenTracking

/// The filter grammar as the registry searches accept it: `attribute.`/bare attributes and `tag.` keys.
enum RegistryFilter {
    static func parse(
        _ filter: String?, attributes: Set<String>, listAttributes: Set<String>, numeric: Set<String>
    )
        throws(KaizenError) -> [FilterClause]
    {
        try SearchFilter.parse(filter ?? "").map { clause throws(KaizenError) in
            var clause = clause
            switch clause.entity {
            case .tag:
                guard FilterOperator.string.contains(clause.op) else {
                    throw .invalidParameter("Invalid comparator for tag: \(clause.op.rawValue)")
                }
                guard clause.stringValue != nil else {
                    throw .invalidParameter(
                        "Parameter value is either not quoted or unidentified quote types used for string value. "
                            + "Use either single or double quotes.")
                }
            case .attribute:
                guard attributes.contains(clause.key) else {
                    throw .invalidParameter(
                        "Invalid attribute key '\(clause.key)' specified. Valid keys are '\(attributes.sorted())'")
                }
                if numeric.contains(clause.key) {
                    guard FilterOperator.numeric.contains(clause.op) else {
                        throw .invalidParameter("Invalid comparator for attribute: \(clause.op.rawValue)")
                    }
                    let number = clause.numberValue ?? clause.stringValue.flatMap(Double.init)
                    guard let number, number == number.rounded() else {
                        throw .invalidParameter("Invalid value for numeric attribute '\(clause.key)': \(clause.value)")
                    }
                    clause.value = .number(number)
                } else if clause.op == .isIn || clause.op == .notIn {
                    guard listAttributes.contains(clause.key), case .list = clause.value else {
                        throw .invalidParameter(
                            "Only \(listAttributes.sorted()) attributes support comparison with a list of quoted string values."
                        )
                    }
                } else {
                    guard FilterOperator.string.contains(clause.op) else {
                        throw .invalidParameter("Invalid comparator for attribute: \(clause.op.rawValue)")
                    }
                    guard clause.stringValue != nil else {
                        throw .invalidParameter(
                            "Parameter value is either not quoted or unidentified quote types used for string value. "
                                + "Use either single or double quotes.")
                    }
                }
            default:
                throw .invalidParameter(
                    "Invalid entity type '\(clause.entity.rawValue)'. Valid entity types are ('attribute', 'tag', 'tags')"
                )
            }
            return clause
        }
    }

    /// Parses `order_by` items into (column, ascending) pairs over the given key → column map, refusing
    /// unknown keys with `unknownKey`'s message and the same column twice.
    static func parseOrder(
        _ orderBy: [String], columns: [String: String], unknownKey: (String) -> String
    ) throws(KaizenError) -> [(String, Bool)] {
        var order: [(String, Bool)] = []
        for text in orderBy {
            let clause = try parseOrder(text)
            guard let column = columns[clause.key] else { throw .invalidParameter(unknownKey(clause.key)) }
            guard !order.contains(where: { $0.0 == column }) else {
                throw .invalidParameter("`order_by` contains duplicate fields: \(orderBy)")
            }
            order.append((column, clause.ascending))
        }
        return order
    }

    static func parseOrder(_ text: String) throws(KaizenError) -> OrderClause {
        do {
            return try SearchFilter.parseOrder(text)
        } catch {
            throw .invalidParameter("Invalid ordering key in order_by clause '\(text)'.")
        }
    }
}
