public import KaizenCore

extension ClassifierOutputs {
    /// Where a classifier's outputs are in a data table.
    public struct Columns: Sendable, Hashable {
        /// The probability columns.
        public enum Probabilities: Sendable, Hashable {
            /// Binary: the column holding P(class 1).
            case binary(String)
            /// Multiclass: (class label, column) pairs, in any order.
            case multiclass([ClassColumn])
        }

        /// A class label and the column holding its probability.
        public struct ClassColumn: Sendable, Hashable {
            public var label: String
            public var column: String

            public init(label: String, column: String) {
                self.label = label
                self.column = column
            }
        }

        public var probabilities: Probabilities
        /// The predicted class: 0 or 1 for binary outputs, a class label for multiclass outputs.
        public var prediction: String
        /// The true class, in the same form as the prediction.
        public var target: String

        public init(probabilities: Probabilities, prediction: String, target: String) {
            self.probabilities = probabilities
            self.prediction = prediction
            self.target = target
        }
    }

    /// Reads outputs from a table. Multiclass labels are ordered as NannyML orders its class keys, by number when
    /// every label is a number and by code point otherwise; a label matches a numeric cell whose value equals it.
    ///
    /// A target column that the table lacks gives outputs without targets; a cell without a value gives a row
    /// without a target. Predictions and probabilities must be present on every row.
    public init(table: DataTable, columns: Columns) throws(KaizenError) {
        func column(_ name: String) throws(KaizenError) -> DataColumn {
            guard let column = table[name] else {
                throw KaizenError.invalidParameter("the data has no column '\(name)'")
            }
            return column
        }
        func numbers(_ name: String) throws(KaizenError) -> [Double] {
            guard case .numbers(let values, _, _) = try column(name).values else {
                throw KaizenError.invalidParameter("column '\(name)' must hold numbers")
            }
            return values
        }
        switch columns.probabilities {
        case .binary(let name):
            let probabilities = try numbers(name)
            let predictions = try Self.binaryLabels(numbers(columns.prediction), column: columns.prediction)
            var targets: [Int?]?
            if table[columns.target] != nil {
                targets = try Self.binaryLabels(numbers(columns.target), column: columns.target, allowMissing: true)
            }
            self = try .binary(
                probabilities: probabilities, predictions: predictions.map { $0 ?? 0 }, targets: targets)
        case .multiclass(let pairs):
            let ordered = Self.nannyMLOrder(pairs)
            let classes = ordered.map(\.label)
            var probabilities: [[Double]] = []
            for pair in ordered { probabilities.append(try numbers(pair.column)) }
            let predictions = try Self.classIndices(column(columns.prediction), classes: classes, allowMissing: false)
            var targets: [Int?]?
            if let target = table[columns.target] {
                targets = try Self.classIndices(target, classes: classes, allowMissing: true)
            }
            self = try .multiclass(
                classes: classes, probabilities: probabilities, predictions: predictions.map { $0 ?? 0 },
                targets: targets)
        }
    }

    /// Labels in the order Python's `sorted` gives NannyML's class keys when they have one type: numbers by value,
    /// text by code point.
    static func nannyMLOrder(_ pairs: [Columns.ClassColumn]) -> [Columns.ClassColumn] {
        let numeric = pairs.compactMap { Double($0.label) }
        if numeric.count == pairs.count {
            return pairs.sorted { (Double($0.label) ?? 0) < (Double($1.label) ?? 0) }
        }
        return pairs.sorted { $0.label.unicodeScalars.lexicographicallyPrecedes($1.label.unicodeScalars) }
    }

    private static func binaryLabels(
        _ values: [Double], column: String, allowMissing: Bool = false
    ) throws(KaizenError) -> [Int?] {
        var labels: [Int?] = []
        labels.reserveCapacity(values.count)
        for (row, value) in values.enumerated() {
            if value.isNaN && allowMissing {
                labels.append(nil)
            } else if value == 0 || value == 1 {
                labels.append(Int(value))
            } else {
                throw KaizenError.invalidParameter(
                    "column '\(column)' holds \(value) on row \(row); binary labels are 0 and 1")
            }
        }
        return labels
    }

    private static func classIndices(
        _ column: DataColumn, classes: [String], allowMissing: Bool
    ) throws(KaizenError) -> [Int?] {
        var indices: [Int?] = []
        switch column.values {
        case .numbers(let values, _, _):
            let classValues = classes.map { Double($0) }
            for (row, value) in values.enumerated() {
                if value.isNaN && allowMissing {
                    indices.append(nil)
                    continue
                }
                guard let index = classValues.firstIndex(where: { $0 == value }) else {
                    throw KaizenError.invalidParameter(
                        "column '\(column.name)' holds \(value) on row \(row), not a class")
                }
                indices.append(index)
            }
        case .labels(let codes, let labels):
            let codeToClass = labels.map { classes.firstIndex(of: $0) }
            for (row, code) in codes.enumerated() {
                if code < 0 && allowMissing {
                    indices.append(nil)
                    continue
                }
                guard code >= 0, let index = codeToClass[Int(code)] else {
                    let label = code >= 0 ? labels[Int(code)] : "nothing"
                    throw KaizenError.invalidParameter(
                        "column '\(column.name)' holds '\(label)' on row \(row), not a class")
                }
                indices.append(index)
            }
        }
        return indices
    }
}
