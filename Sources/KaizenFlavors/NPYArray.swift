import Foundation

/// A NumPy `.npy` array (format versions 1 to 3) of plain numbers or booleans, read into doubles or integers.
/// Object arrays (which NumPy stores as pickles) and every other kind are refused; the data must be exactly as long
/// as the shape says.
public struct NPYArray: Sendable, Equatable {
    public enum Values: Sendable, Equatable {
        case doubles([Double])
        case integers([Int64])
        /// Fixed-width Unicode (`<U10`): NumPy's string arrays, such as string class labels.
        case strings([String])
        /// A structured array (scikit-learn's tree nodes): each numeric field as a column of doubles.
        case records([String: [Double]])
    }

    public var shape: [Int]
    public var values: Values
    /// Whether the array holds booleans (`|b1`, read as integers 0 and 1), such as a classifier fitted on flags.
    public var isBoolean = false

    public var count: Int { shape.reduce(1, *) }

    /// The elements as doubles (integers converted).
    public var doubles: [Double] {
        switch values {
        case .doubles(let values): values
        case .integers(let values): values.map(Double.init)
        case .strings, .records: []
        }
    }

    public init(shape: [Int], values: Values) {
        self.shape = shape
        self.values = values
    }

    public init(bytes: [UInt8], name: String) throws(FlavorError) {
        func fail(_ problem: String) -> FlavorError { FlavorError("The array '\(name)' \(problem)") }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
            throw fail("is not a NumPy .npy file")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("is truncated") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default: throw fail("has .npy format version \(major)")
        }
        guard headerLength <= 65_536, headerStart + headerLength <= bytes.count,
            let header = String(validating: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        else { throw fail("has a malformed header") }
        guard let descr = Self.descr(header), let order = Self.field(header, "fortran_order"),
            let shapeText = Self.field(header, "shape")
        else { throw fail("has a header without descr, fortran_order or shape") }
        let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        var shape: [Int] = []
        for part in shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let size = Int(trimmed), size >= 0, size <= 1 << 31 else { throw fail("has shape \(shapeText)") }
            shape.append(size)
        }
        guard shape.count <= 8 else { throw fail("has \(shape.count) dimensions") }
        var count = 1
        for size in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= 1 << 31 else { throw fail("is too large") }
            count = product
        }
        let data = Array(bytes[(headerStart + headerLength)...])
        if type.hasPrefix("[") {
            guard !order.hasPrefix("True") else { throw fail("is a structured array in Fortran order") }
            self.shape = shape
            self.values = .records(try Self.records(type, data, count: count, fail: fail))
            return
        }
        if type.hasPrefix("<U"), let characters = Int(type.dropFirst(2)), (1...1 << 20).contains(characters) {
            guard !order.hasPrefix("True") || shape.count < 2 else { throw fail("is in Fortran order") }
            self.shape = shape
            self.values = .strings(try Self.strings(data, count: count, characters: characters, fail: fail))
            return
        }
        let width: Int
        switch type {
        case "<f8", "<i8", "<u8": width = 8
        case "<f4", "<i4", "<u4": width = 4
        case "<i2", "<u2": width = 2
        case "|b1", "|u1", "|i1": width = 1
        default: throw fail("holds '\(type)' elements; Kaizen reads numbers and booleans only")
        }
        guard data.count == count * width else {
            throw fail("holds \(data.count) bytes for \(count) elements of \(width) bytes")
        }
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<width { value |= UInt64(data[index * width + byte]) << (8 * UInt64(byte)) }
            return value
        }
        var values: Values
        switch type {
        case "<f8": values = .doubles((0..<count).map { Double(bitPattern: word($0)) })
        case "<f4": values = .doubles((0..<count).map { Double(Float(bitPattern: UInt32(word($0)))) })
        case "<i8": values = .integers((0..<count).map { Int64(bitPattern: word($0)) })
        case "<i4": values = .integers((0..<count).map { Int64(Int32(truncatingIfNeeded: word($0))) })
        case "<i2": values = .integers((0..<count).map { Int64(Int16(truncatingIfNeeded: word($0))) })
        case "|i1": values = .integers((0..<count).map { Int64(Int8(truncatingIfNeeded: word($0))) })
        case "<u8":
            values = .integers(
                try (0..<count).map { index throws(FlavorError) in
                    guard let value = Int64(exactly: word(index)) else { throw fail("holds an integer past 2^63") }
                    return value
                })
        default: values = .integers((0..<count).map { Int64(word($0)) })
        }
        if order.hasPrefix("True"), shape.count == 2 {
            // Column-major on disk: reorder to row-major.
            let (rows, columns) = (shape[0], shape[1])
            func transpose<T>(_ items: [T]) -> [T] {
                (0..<rows * columns).map { items[($0 % columns) * rows + $0 / columns] }
            }
            switch values {
            case .doubles(let items): values = .doubles(transpose(items))
            case .integers(let items): values = .integers(transpose(items))
            case .strings(let items): values = .strings(transpose(items))
            case .records: throw fail("is a structured array in Fortran order")
            }
        } else if order.hasPrefix("True"), shape.count > 2 {
            throw fail("is in Fortran order with \(shape.count) dimensions")
        }
        self.shape = shape
        self.values = values
        self.isBoolean = type == "|b1"
    }

    /// The `descr` value: a quoted type, or a structured type's list of `('name', 'type')` pairs.
    static func descr(_ header: String) -> String? {
        guard let range = header.range(of: "'descr':") else { return nil }
        let rest = header[range.upperBound...].drop { $0 == " " }
        guard rest.first == "[" else { return field(header, "descr") }
        var depth = 0
        var value = ""
        for character in rest {
            value.append(character)
            if character == "[" { depth += 1 }
            if character == "]" {
                depth -= 1
                if depth == 0 { break }
            }
        }
        return value
    }

    /// A structured array's fields, read at their packed offsets; padding fields (`|V7`) are skipped over by their
    /// width.
    static func records(
        _ descr: String, _ data: [UInt8], count: Int, fail: (String) -> FlavorError
    ) throws(FlavorError) -> [String: [Double]] {
        var fields: [(name: String, type: String, offset: Int)] = []
        var offset = 0
        var scanner = descr.dropFirst().dropLast()
        while let open = scanner.firstIndex(of: "("), let close = scanner[open...].firstIndex(of: ")") {
            let parts = scanner[scanner.index(after: open)..<close].split(separator: ",").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " '\""))
            }
            guard parts.count == 2 else { throw fail("has a structured type with a nested field") }
            let type = parts[1]
            let width: Int
            switch type {
            case "<f8", "<i8", "<u8": width = 8
            case "<i4", "<u4": width = 4
            case "|u1", "|b1": width = 1
            default:
                guard type.hasPrefix("|V"), let size = Int(type.dropFirst(2)), (1...64).contains(size) else {
                    throw fail("has a structured field of type '\(type)'")
                }
                width = size
            }
            fields.append((parts[0], type, offset))
            offset += width
            scanner = scanner[scanner.index(after: close)...]
        }
        let itemSize = offset
        guard itemSize > 0, fields.count <= 64, data.count == count * itemSize else {
            throw fail("holds \(data.count) bytes for \(count) records of \(itemSize) bytes")
        }
        var columns: [String: [Double]] = [:]
        for field in fields where !field.name.isEmpty && !field.type.hasPrefix("|V") {
            var column: [Double] = []
            column.reserveCapacity(count)
            for index in 0..<count {
                let base = index * itemSize + field.offset
                if field.type == "|u1" || field.type == "|b1" {
                    column.append(Double(data[base]))
                    continue
                }
                let width = field.type.hasSuffix("4") ? 4 : 8
                var word: UInt64 = 0
                for byte in 0..<width { word |= UInt64(data[base + byte]) << (8 * UInt64(byte)) }
                switch field.type {
                case "<f8": column.append(Double(bitPattern: word))
                case "<i8": column.append(Double(Int64(bitPattern: word)))
                case "<i4": column.append(Double(Int32(truncatingIfNeeded: word)))
                default: column.append(Double(word))  // <u4, <u8
                }
            }
            columns[field.name] = column
        }
        return columns
    }

    /// `count` strings of `characters` UTF-32 code units each, NUL-padded.
    static func strings(
        _ data: [UInt8], count: Int, characters: Int, fail: (String) -> FlavorError
    ) throws(FlavorError) -> [String] {
        let (bytes, overflow) = (count * characters).multipliedReportingOverflow(by: 4)
        guard !overflow, data.count == bytes else { throw fail("holds \(data.count) bytes for \(count) strings") }
        var strings: [String] = []
        strings.reserveCapacity(count)
        for index in 0..<count {
            var scalars = String.UnicodeScalarView()
            for position in 0..<characters {
                let offset = (index * characters + position) * 4
                let code =
                    UInt32(data[offset]) | UInt32(data[offset + 1]) << 8 | UInt32(data[offset + 2]) << 16
                    | UInt32(data[offset + 3]) << 24
                if code == 0 { break }
                guard let scalar = Unicode.Scalar(code) else { throw fail("holds an invalid character") }
                scalars.append(scalar)
            }
            strings.append(String(scalars))
        }
        return strings
    }

    /// The text after `'key':` up to the next top-level comma (a tuple counts as one value).
    static func field(_ header: String, _ key: String) -> String? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        var depth = 0
        var value = ""
        for character in header[range.upperBound...] {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if (character == "," || character == "}") && depth == 0 { break }
            value.append(character)
        }
        return value.trimmingCharacters(in: .whitespaces)
    }
}
