import KaizenCore
import KaizenONNX

/// Converts JSON cells to tensor elements, with errors that name the column (or input) and say why.
enum CellConversion {
    /// A tensor of `type` with `shape` from `cells` (row-major), checking each cell against the declared column type.
    static func tensor(
        _ cells: some Collection<JSONValue>, shape: [Int], type: ElementType, column: @autoclosure () -> String,
        declared: ColumnSpec.ColumnType? = nil
    ) throws(ServingError) -> Tensor {
        let integral = declared == .long || declared == .integer
        do {
            switch type {
            case .float:
                var values = [Float]()
                values.reserveCapacity(cells.count)
                for cell in cells {
                    values.append(Float(try number(cell, integral: integral, column: column(), type: "float32")))
                }
                return try Tensor(shape: shape, floats: values)
            case .double:
                var values = [Double]()
                values.reserveCapacity(cells.count)
                for cell in cells {
                    values.append(try number(cell, integral: integral, column: column(), type: "float64"))
                }
                return try Tensor(shape: shape, doubles: values)
            case .int64:
                var values = [Int64]()
                values.reserveCapacity(cells.count)
                for cell in cells { values.append(try integer(cell, column: column(), type: "int64")) }
                return try Tensor(shape: shape, int64s: values)
            case .int32:
                var values = [Int32]()
                values.reserveCapacity(cells.count)
                for cell in cells {
                    let value = try integer(cell, column: column(), type: "int32")
                    guard let narrow = Int32(exactly: value) else {
                        throw mismatch(column(), cell, "int32", "it is out of range")
                    }
                    values.append(narrow)
                }
                return try Tensor(shape: shape, int32s: values)
            case .bool:
                var values = [Bool]()
                values.reserveCapacity(cells.count)
                for cell in cells {
                    switch cell {
                    case .bool(let value): values.append(value)
                    case .integer(0), .string("False"), .string("false"): values.append(false)
                    case .integer(1), .string("True"), .string("true"): values.append(true)
                    default: throw mismatch(column(), cell, "bool", "it is not a boolean")
                    }
                }
                return try Tensor(shape: shape, bools: values)
            case .string:
                var values = [String]()
                values.reserveCapacity(cells.count)
                for cell in cells {
                    switch cell {
                    case .string(let value): values.append(value)
                    case .integer where declared == .string, .bool where declared == .string:
                        // A column declared as text takes text only, as MLflow's schema enforcement does.
                        throw mismatch(column(), cell, "str", "it is not a string")
                    case .integer(let value): values.append(String(value))
                    case .bool(let value): values.append(value ? "True" : "False")
                    default: throw mismatch(column(), cell, "str", "it is not a string")
                    }
                }
                return try Tensor(shape: shape, strings: values)
            }
        } catch let error as ServingError {
            throw error
        } catch {
            throw ServingError.badRequest("Invalid input for \(column()): \(error)")
        }
    }

    static func number(_ cell: JSONValue, integral: Bool, column: String, type: String) throws(ServingError) -> Double {
        let value: Double
        switch cell {
        case .double(let number): value = number
        case .integer(let number): return Double(number)
        case .null: value = .nan
        case .string(let text):
            guard let parsed = Double(text.trimmingCharacters(in: " ")) ?? Self.special(text) else {
                throw mismatch(column, cell, type, "could not convert string to float: '\(text)'")
            }
            value = parsed
        case .bool: throw mismatch(column, cell, type, "a boolean is not a number")
        default: throw mismatch(column, cell, type, "it is not a number")
        }
        if integral && value.rounded() != value {
            throw mismatch(column, cell, type, "the signature declares integers and \(cell.jsonText) has a fraction")
        }
        return value
    }

    static func special(_ text: String) -> Double? {
        switch text.lowercased() {
        case "nan": .nan
        case "inf", "infinity": .infinity
        case "-inf", "-infinity": -.infinity
        default: nil
        }
    }

    static func integer(_ cell: JSONValue, column: String, type: String) throws(ServingError) -> Int64 {
        switch cell {
        case .integer(let value): return value
        case .double(let value):
            guard let exact = Int64(exactly: value) else {
                throw mismatch(column, cell, type, "it is not an integer")
            }
            return exact
        case .string(let text):
            guard let value = Int64(text.trimmingCharacters(in: " ")) else {
                throw mismatch(column, cell, type, "invalid literal for int(): '\(text)'")
            }
            return value
        case .null: throw mismatch(column, cell, type, "a missing value cannot be an integer")
        default: throw mismatch(column, cell, type, "it is not an integer")
        }
    }

    static func mismatch(_ column: String, _ cell: JSONValue, _ type: String, _ why: String) -> ServingError {
        ServingError.badRequest(
            "Invalid input. Data is not compatible with model signature. Failed to convert column \(column) to type "
                + "'\(type)'. Error: value \(cell.messageText): \(why)")
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return text
    }
}
