import KaizenCore
import KaizenTracking
import Testing

@testable import KaizenServer

/// A long page is written in two halves at once and joined; the bytes are those of writing it in one go.
struct PageWritingTests {
    static func sequential(_ page: Page<Metric>) -> [UInt8] {
        var json = JSONWriter()
        json.object {
            $0.repeated("metrics", page.items) { TrackingJSON.write($1, to: &$0) }
            $0.field("next_page_token", page.nextPageToken)
        }
        return json.bytes
    }

    static func metrics(_ count: Int) -> [Metric] {
        (0..<count).map { (index: Int) -> Metric in
            let value: Double = index % 7 == 0 ? .nan : Double(index) / 3
            let modelID: String? = index % 5 == 0 ? "m-\(index)" : nil
            let datasetName: String? = index % 11 == 0 ? "train \"a\"" : nil
            return Metric(
                key: "loss", value: value, timestamp: 1_700_000_000_000 + Int64(index), step: Int64(index),
                modelID: modelID, datasetName: datasetName)
        }
    }

    @Test(arguments: [0, 1, 2, 3, 3_276, 3_277, 10_000, 10_001])
    func halvesJoinToTheSameBytes(count: Int) async {
        // 3,277 items of about 80 bytes reach the concurrent size; 3,276 do not.
        for token in [nil, "next"] as [String?] {
            let page = Page(items: Self.metrics(count), nextPageToken: token)
            let written = await RunRoutes.written(page, field: "metrics", capacity: 80) {
                TrackingJSON.write($1, to: &$0)
            }
            let expected = Self.sequential(page)
            // Compared as one Bool: a failure would otherwise print both arrays, up to a megabyte each.
            let same = written.bytes == expected
            #expect(
                same, "\(count) items, token \(token ?? "none"): \(written.bytes.count) bytes against \(expected.count)"
            )
        }
        #expect(3_277 * 80 >= RunRoutes.concurrentPageBytes && 3_276 * 80 < RunRoutes.concurrentPageBytes)
    }

    /// Points without a model or a dataset, of every kind of number, and a key that needs escaping.
    static func barePoints(key: String) -> [Metric] {
        let values: [Double] = [
            0, -0.0, 1, -1, 0.1, 1e-7, 123_456_789.123, 1e21, -2.2250738585072014e-308, .greatestFiniteMagnitude,
            .leastNonzeroMagnitude, .nan, .infinity, -.infinity, 1.0 / 3,
        ]
        let integers: [Int64] =
            [0, 1, 9, 10, 99, 100, 101, 999, 1_000, -1, -10, 1_700_000_000_000, .max, .min, .max - 1, .min + 1]
            + (1...18).flatMap { digits -> [Int64] in
                let power = (0..<digits).reduce(Int64(1)) { power, _ in power * 10 }
                return [power - 1, power, -power]
            }
        return (0..<300).map { index in
            Metric(
                key: key, value: values[index % values.count], timestamp: integers[index % integers.count],
                step: integers[(index / 3) % integers.count])
        }
    }

    @Test(arguments: ["loss", "a \"quoted\" \\ key\n", "é 📈"])
    func aHistoryWrittenInOneAppendHasTheFieldByFieldBytes(key: String) {
        let points = Self.barePoints(key: key)
        for slice in [points[...], points[1..<2], points[0..<0], points[17...]] {
            var fast = JSONWriter()
            fast.beginArray()
            #expect(TrackingJSON.writeBarePoints(slice, to: &fast))
            fast.endArray()
            var expected = JSONWriter()
            expected.beginArray()
            for point in slice { TrackingJSON.write(point, to: &expected) }
            expected.endArray()
            // Compared as one Bool, with where they part: a failure would otherwise print both texts whole.
            let same = fast.bytes == expected.bytes
            let parting =
                zip(fast.bytes, expected.bytes).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(fast.bytes.count, expected.bytes.count)
            #expect(
                same,
                "they part at byte \(parting): \(String(decoding: expected.bytes.dropFirst(parting).prefix(60), as: UTF8.self))"
            )
        }
    }

    @Test func pointsWithAModelADatasetOrAnotherKeyAreWrittenOneByOne() async {
        var mixed = Self.barePoints(key: "loss")
        mixed[5].key = "other"
        for points in [Self.metrics(5_000), mixed] {
            var one = JSONWriter()
            #expect(!TrackingJSON.writeBarePoints(points[...], to: &one))
            #expect(one.bytes.isEmpty)
            let page = Page(items: points, nextPageToken: nil)
            let written = await RunRoutes.written(
                page, field: "metrics", capacity: 80, elements: TrackingJSON.writeHistory)
            let same = written.bytes == Self.sequential(page)
            #expect(same)
        }
        // A long history without them goes through the one-append path in both halves, with the same bytes.
        let bare = Page(
            items: (0..<10_000).map {
                Metric(key: "k", value: Double($0) * 0.001, timestamp: 1_733_000_000_000 + Int64($0), step: Int64($0))
            }, nextPageToken: "t")
        let written = await RunRoutes.written(bare, field: "metrics", capacity: 80, elements: TrackingJSON.writeHistory)
        let same = written.bytes == Self.sequential(bare)
        #expect(same)
    }

    /// Numbers are written as Swift prints them (the shortest form that reads back as the same double), NaN and the
    /// infinities quoted: checked against `String(_:)` and `description`, independently of the writers that share
    /// `JSONWriter.put`.
    @Test func numbersAreWrittenAsSwiftPrintsThem() {
        var generator = SystemRandomNumberGenerator()
        let points = Self.barePoints(key: "k")
        var integers = points.flatMap { [$0.timestamp, $0.step] }
        var doubles = points.map(\.value)
        for _ in 0..<10_000 {
            integers.append(Int64(bitPattern: generator.next()))
            doubles.append(Double(bitPattern: generator.next()))
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            let start = buffer.baseAddress!
            let wrongIntegers = integers.filter { value in
                String(
                    decoding: UnsafeBufferPointer(start: start, count: JSONWriter.put(value, at: start)), as: UTF8.self)
                    != String(value)
            }
            #expect(wrongIntegers.isEmpty, "\(wrongIntegers.prefix(5))")
            let wrongDoubles = doubles.filter { value in
                let expected =
                    value.isNaN
                    ? "\"NaN\"" : value.isInfinite ? (value > 0 ? "\"Infinity\"" : "\"-Infinity\"") : value.description
                return String(
                    decoding: UnsafeBufferPointer(start: start, count: JSONWriter.put(value, at: start)), as: UTF8.self)
                    != expected
            }
            #expect(wrongDoubles.isEmpty, "\(wrongDoubles.prefix(5))")
        }
    }
}
