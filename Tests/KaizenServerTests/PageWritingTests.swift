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
}
