import Synchronization

/// Request ids for `X-Request-Id`: the caller's own when it sends one that is safe to echo, else a new one shaped
/// like a UUID, a random 64-bit prefix per process followed by a counter, so ids are unique across replicas and
/// cost no system call and one allocation.
enum RequestID {
    /// `xxxxxxxx-xxxx-xxxx-`: the process's random 64 bits.
    static let prefix: [UInt8] = {
        let digits = hex(UInt64.random(in: 0...UInt64.max))
        return Array(digits[0..<8]) + [0x2D] + Array(digits[8..<12]) + [0x2D] + Array(digits[12..<16]) + [0x2D]
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

    /// A new id: the prefix, then the counter as `xxxx-xxxxxxxxxxxx`.
    static func next() -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 36) { buffer in
            for (index, byte) in prefix.enumerated() { buffer[index] = byte }
            var position = 35
            var rest = number
            while position >= 19 {
                if position == 23 {
                    buffer[position] = 0x2D
                } else {
                    buffer[position] = digits[Int(rest & 0xF)]
                    rest >>= 4
                }
                position -= 1
            }
            return 36
        }
    }

    static let digits = Array("0123456789abcdef".utf8)

    /// `value` as 16 lowercase hex digits.
    static func hex(_ value: UInt64) -> [UInt8] {
        (0..<16).map { digits[Int((value >> (60 - 4 * UInt64($0))) & 0xF)] }
    }
}
