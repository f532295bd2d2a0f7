import KaizenCore

/// The tokens and containers of a profile document, each read with the column and field it belongs to at hand for
/// the message when it is not what the format says.
extension ProfileDecoder {
    /// Reads the fields of an object whose `{` is read, up to its `}`, handing each key to `body` with the reader
    /// at its value; a key may appear once.
    mutating func fields(
        seen: Set<String>, _ body: (inout ProfileDecoder, String) throws(KaizenError) -> Void
    ) throws(KaizenError) {
        let outer = field
        var seen = seen
        repeat {
            field = outer
            let key = try key()
            field = outer.map { "\($0).\(key)" } ?? key
            guard seen.insert(key).inserted else { throw fail("appears twice") }
            try body(&self, key)
        } while try nextField(closing: UInt8(ascii: "}"))
        field = outer
    }

    /// Reads the items of an array, handing each one's index to `body` with the reader at it.
    mutating func items(_ body: (inout ProfileDecoder, Int) throws(KaizenError) -> Void) throws(KaizenError) {
        try expect(UInt8(ascii: "["), "an array")
        guard !reader.take(UInt8(ascii: "]")) else { return }
        var index = 0
        repeat {
            try body(&self, index)
            index += 1
        } while try nextItem(closing: UInt8(ascii: "]"))
    }

    /// After an object's field: whether another follows (`,`) or the object ends (`}`).
    mutating func nextField(closing: UInt8) throws(KaizenError) -> Bool {
        try nextItem(closing: closing)
    }

    /// After an array's item or an object's field: whether another follows (`,`) or the container ends.
    mutating func nextItem(closing: UInt8) throws(KaizenError) -> Bool {
        if reader.take(UInt8(ascii: ",")) { return true }
        if reader.take(closing) { return false }
        throw unexpected("',' or '\(Character(Unicode.Scalar(closing)))'")
    }

    mutating func key() throws(KaizenError) -> String {
        let key = try string()
        try expect(UInt8(ascii: ":"), "':'")
        return key
    }

    mutating func expectKey(_ expected: String) throws(KaizenError) {
        field = nil
        let key = try key()
        guard key == expected else {
            throw fail(
                "the document must start with \"format\" and \"version\"; found \(JSONValue.string(key).messageText)")
        }
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(KaizenError) {
        guard reader.take(byte) else { throw unexpected(what) }
    }

    mutating func optionalString() throws(KaizenError) -> String? {
        do { return try reader.string() } catch { throw malformed(error) }
    }

    mutating func string() throws(KaizenError) -> String {
        guard let text = try optionalString() else { throw unexpected("a string") }
        return text
    }

    /// A number written as an integer.
    mutating func integer() throws(KaizenError) -> Int {
        let number: JSONValue?
        do { number = try reader.number() } catch { throw malformed(error) }
        guard let number else { throw unexpected("an integer") }
        guard case .integer(let value) = number else { throw fail("\(number.messageText) is not an integer") }
        return Int(value)
    }

    /// A count of rows: an integer of at least 0.
    mutating func count() throws(KaizenError) -> Int {
        let value = try integer()
        guard value >= 0 else { throw fail("\(value) is negative") }
        return value
    }

    /// A sample count: an integer of at least 1, added to `total` (which must not overflow).
    mutating func positiveCount(at index: Int, adding total: inout Int) throws(KaizenError) -> Int {
        let value = try integer()
        guard value >= 1 else { throw fail("item \(index) is \(value); a count must be at least 1") }
        let (sum, overflow) = total.addingReportingOverflow(value)
        guard !overflow else { throw fail("counts add up to more than \(Int.max)") }
        total = sum
        return value
    }

    /// A finite number (an integer is taken as the double nearest it).
    mutating func finiteNumber(at index: Int, _ what: String) throws(KaizenError) -> Double {
        let number: JSONValue?
        do { number = try reader.number() } catch { throw malformed(error) }
        guard let value = number?.doubleValue else {
            throw unexpected("\(what) at item \(index) (NaN and infinities are never part of a sample)")
        }
        guard value.isFinite else { throw fail("item \(index) is \(value); a sample holds finite numbers only") }
        return value
    }
}

extension ProfileDecoder {
    /// An error at the current column and field.
    func fail(_ reason: String) -> KaizenError {
        Self.error(column: columnIndex, name: columnName, field: field, reason)
    }

    static func error(column: Int?, name: String?, field: String?, _ reason: String) -> KaizenError {
        var place: [String] = []
        if let column {
            place.append("column \(column)" + (name.map { " (\(JSONValue.string($0).messageText))" } ?? ""))
        }
        if let field { place.append("field '\(field)'") }
        let location = place.isEmpty ? "" : place.joined(separator: ", ") + ": "
        return .invalidParameter("Invalid dataset profile: \(location)\(reason)")
    }

    func missing(_ name: String) -> KaizenError {
        fail("the field '\(name)' is missing")
    }

    /// The next token is not `what`: the document may have ended early, or holds something else there.
    mutating func unexpected(_ what: String) -> KaizenError {
        reader.isAtEnd() ? fail("the document ends early (truncated?); expected \(what)") : fail("expected \(what)")
    }

    func malformed(_ error: JSONParseError) -> KaizenError {
        fail("malformed JSON: \(error)")
    }
}
