import Foundation

/// One byte range of an HTTP `Range` header (RFC 9110 §14.1.2), resolved against the resource's size:
/// `bytes=a-b`, `bytes=a-` and `bytes=-n`. A header with several ranges or another unit is nil, as is a range
/// that starts past the end.
struct ByteRange: Equatable {
    let lowerBound: Int64
    /// Inclusive, and at most size - 1.
    let upperBound: Int64

    init?(header: String, size: Int64) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let spec = text.dropFirst(6)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return nil }
            lowerBound = max(size - suffix, 0)
            upperBound = size - 1
            return
        }
        guard let start = Int64(first), start >= 0, start < size else { return nil }
        if last.isEmpty {
            upperBound = size - 1
        } else {
            guard let end = Int64(last), end >= start else { return nil }
            upperBound = min(end, size - 1)
        }
        lowerBound = start
    }
}
