extension DataTable {
    /// The rows at `indices`, in that order, with the columns whose names `keep` accepts. A subset of an integral
    /// column stays integral, and so does a subset without gaps of a column integral where present; a text column
    /// keeps its labels.
    public func selecting(rows indices: [Int], columns keep: (String) -> Bool = { _ in true }) -> DataTable {
        var selected: [DataColumn] = []
        for column in columns where keep(column.name) {
            switch column.values {
            case .numbers(let values, let integral, let boolean):
                let subset = indices.map { values[$0] }
                let whole = integral || (column.integralWhenPresent && !subset.isEmpty && !subset.contains { $0.isNaN })
                selected.append(
                    DataColumn(
                        name: column.name, values: .numbers(subset, integral: whole, boolean: boolean),
                        integralWhenPresent: column.integralWhenPresent))
            case .labels(let codes, let labels):
                selected.append(
                    DataColumn(name: column.name, values: .labels(codes: indices.map { codes[$0] }, labels: labels)))
            }
        }
        return DataTable(columns: selected, rowCount: indices.count)
    }
}

extension DataColumn {
    /// Row `row` as text (a whole number without a fraction), nil where missing.
    public func text(at row: Int) -> String? {
        switch values {
        case .numbers(let values, _, let boolean):
            let value = values[row]
            if value.isNaN { return nil }
            if boolean { return value == 1 ? "True" : "False" }
            return value.labelText
        case .labels(let codes, let labels):
            return codes[row] < 0 ? nil : labels[Int(codes[row])]
        }
    }

    /// Row `row` as a number, nil where missing or text.
    public func number(at row: Int) -> Double? {
        guard case .numbers(let values, _, _) = values, !values[row].isNaN else { return nil }
        return values[row]
    }
}
