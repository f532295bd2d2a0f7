import Synchronization

/// Request ids for `X-Request-Id`: the caller's own when it sends one that is safe to echo, else a new one shaped
/// like a UUID, a random 64-bit prefix per process followed by a counter, so ids are unique across replicas and
/// cost no system call.
enum RequestID {
    static let prefix: String = {
        let bits = UInt64.random(in: 0...UInt64.max)
        let hex = hex16(bits)
        let characters = Array(hex)
        return String(characters[0..<8]) + "-" + String(characters[8..<12]) + "-" + String(characters[12..<16]) + "-"
    }()
    static let counter = Atomic<UInt64>(0)

    /// The id of a request whose `X-Request-Id` field is `given`: kept when it is 1 to 128 visible ASCII characters,
    /// replaced otherwise.
    static func resolve(_ given: String?) -> String {
        if let given, !given.isEmpty, given.utf8.count <= 128, given.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
            return given
        }
        return next()
    }

    static func next() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        let characters = Array(hex16(number))
        return prefix + String(characters[0..<4]) + "-" + String(characters[4..<16])
    }

    /// `value` as 16 lowercase hex digits.
    static func hex16(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
