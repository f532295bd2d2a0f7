/// An element of the small XML documents S3 answers with: a name, child elements and text.
///
/// `XMLElement.parse` reads just what those documents use: elements, text, entity and character references,
/// CDATA; the declaration, comments, processing instructions and attributes (S3's namespace) are skipped.
struct XMLElement: Sendable, Equatable {
    var name: String
    var children: [XMLElement] = []
    var text = ""

    /// The first child named `name`.
    func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child named `name`.
    func children(named name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }

    /// The text of the first child named `name`.
    func text(of name: String) -> String? {
        child(name)?.text
    }

    /// The root element of `bytes`; nil when the document is not well formed.
    static func parse(_ bytes: [UInt8]) -> XMLElement? {
        var parser = XMLByteParser(bytes: bytes)
        return parser.document()
    }
}

/// A one-pass reader of XML bytes into `XMLElement`s.
struct XMLByteParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func document() -> XMLElement? {
        var stack: [XMLElement] = []
        var root: XMLElement?
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<") else {
                text.append(byte)
                index += 1
                continue
            }
            if starts(with: "<![CDATA[") {
                guard let end = find("]]>", from: index + 9) else { return nil }
                text.append(contentsOf: bytes[(index + 9)..<end])
                index = end + 3
            } else if starts(with: "<!--") {
                guard let end = find("-->", from: index + 4) else { return nil }
                index = end + 3
            } else if starts(with: "<?") || starts(with: "<!") {
                guard let end = find(">", from: index + 2) else { return nil }
                index = end + 1
            } else if starts(with: "</") {
                guard let end = find(">", from: index + 2), var element = stack.popLast() else { return nil }
                let name = String(decoding: bytes[(index + 2)..<end], as: UTF8.self).trimmingASCIISpaces()
                guard name == element.name, let decoded = Self.decodeEntities(text) else { return nil }
                element.text += decoded
                text = []
                index = end + 1
                if stack.isEmpty {
                    root = element
                } else {
                    stack[stack.count - 1].children.append(element)
                }
            } else {
                guard let end = find(">", from: index + 1) else { return nil }
                var tag = bytes[(index + 1)..<end]
                let selfClosing = tag.last == UInt8(ascii: "/")
                if selfClosing { tag = tag.dropLast() }
                let nameEnd = tag.firstIndex { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } ?? tag.endIndex
                let name = String(decoding: tag[tag.startIndex..<nameEnd], as: UTF8.self)
                guard !name.isEmpty else { return nil }
                // Text between a parent's child elements is only layout.
                text = []
                index = end + 1
                let element = XMLElement(name: name)
                if selfClosing {
                    if stack.isEmpty { root = element } else { stack[stack.count - 1].children.append(element) }
                } else {
                    stack.append(element)
                }
            }
        }
        return stack.isEmpty ? root : nil
    }

    func starts(with prefix: String) -> Bool {
        let prefix = Array(prefix.utf8)
        return index + prefix.count <= bytes.count && bytes[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    func find(_ needle: String, from start: Int) -> Int? {
        let needle = Array(needle.utf8)
        guard bytes.count >= needle.count else { return nil }
        var position = start
        while position + needle.count <= bytes.count {
            if bytes[position] == needle[0], bytes[position..<(position + needle.count)].elementsEqual(needle) {
                return position
            }
            position += 1
        }
        return nil
    }

    /// Text with `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;`, `&#N;` and `&#xN;` replaced; nil for a bad one.
    static func decodeEntities(_ text: [UInt8]) -> String? {
        guard text.contains(UInt8(ascii: "&")) else { return String(decoding: text, as: UTF8.self) }
        var result = ""
        var start = 0
        var position = 0
        while position < text.count {
            guard text[position] == UInt8(ascii: "&") else {
                position += 1
                continue
            }
            guard let semicolon = text[position...].firstIndex(of: UInt8(ascii: ";")) else { return nil }
            result += String(decoding: text[start..<position], as: UTF8.self)
            let entity = String(decoding: text[(position + 1)..<semicolon], as: UTF8.self)
            switch entity {
            case "amp": result += "&"
            case "lt": result += "<"
            case "gt": result += ">"
            case "quot": result += "\""
            case "apos": result += "'"
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    value = UInt32(entity.dropFirst(2), radix: 16)
                } else if entity.hasPrefix("#") {
                    value = UInt32(entity.dropFirst(), radix: 10)
                } else {
                    value = nil
                }
                guard let value, let scalar = Unicode.Scalar(value) else { return nil }
                result.unicodeScalars.append(scalar)
            }
            position = semicolon + 1
            start = position
        }
        return result + String(decoding: text[start...], as: UTF8.self)
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for request documents.
    static func escape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.append(character)
            }
        }
        return result
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" || first == "\n" || first == "\r" {
            view = view.dropFirst()
        }
        while let last = view.last, last == " " || last == "\t" || last == "\n" || last == "\r" {
            view = view.dropLast()
        }
        return String(view)
    }
}
