import Testing

@testable import KaizenImage

struct TarHeaderTests {
    /// The sum of a header's bytes with the checksum field read as spaces.
    func checksum(_ block: ArraySlice<UInt8>) -> Int {
        block.enumerated().reduce(0) { $0 + ((148..<156).contains($1.offset) ? 0x20 : Int($1.element)) }
    }

    func field(_ block: ArraySlice<UInt8>, _ offset: Int, _ width: Int) -> String {
        let start = block.startIndex + offset
        return String(decoding: block[start..<start + width].prefix { $0 != 0 }, as: UTF8.self)
    }

    @Test func ustarHeaderFields() {
        let block = TarHeader.blocks(
            name: "opt/kaizen/model/MLmodel", type: .file, size: 1234, mode: 0o644, uid: 0, gid: 0, mtime: 1_700_000_000
        )[...]
        #expect(block.count == 512)
        #expect(field(block, 0, 100) == "opt/kaizen/model/MLmodel")
        #expect(field(block, 100, 8) == "0000644")
        #expect(field(block, 124, 12) == "00000002322")
        #expect(field(block, 136, 12) == String(1_700_000_000, radix: 8))
        #expect(block[156] == UInt8(ascii: "0"))
        #expect(field(block, 257, 6) == "ustar")
        #expect(field(block, 265, 32) == "")
        #expect(Int(field(block, 148, 6), radix: 8) == checksum(block))
    }

    @Test func longNamesAndLinksGetPaxRecords() {
        let name = String(repeating: "d/", count: 60) + "file.bin"
        let target = String(repeating: "../", count: 40) + "x"
        let blocks = TarHeader.blocks(
            name: name, type: .symlink, size: 0, mode: 0o777, uid: 0, gid: 0, linkTarget: target, mtime: 0)
        #expect(blocks.count == 512 * 3)
        #expect(blocks[156] == UInt8(ascii: "x"))
        let records = String(decoding: blocks[512..<1024].prefix { $0 != 0 }, as: UTF8.self)
        #expect(records.contains(" path=\(name)\n"))
        #expect(records.contains(" linkpath=\(target)\n"))
        // Each record starts with its own length, digits included.
        for record in records.split(separator: "\n") {
            let length = Int(record.prefix { $0 != " " })
            #expect(length == record.utf8.count + 1)
        }
        #expect(blocks[1024 + 156] == UInt8(ascii: "2"))
    }

    @Test func sizesBeyondEightGigabytesGoInPax() {
        let size: Int64 = 9 << 30
        let blocks = TarHeader.blocks(name: "big", type: .file, size: size, mode: 0o644, uid: 0, gid: 0, mtime: 0)
        let records = String(decoding: blocks[512..<1024].prefix { $0 != 0 }, as: UTF8.self)
        #expect(records == "\(" size=\(size)\n".utf8.count + 2) size=\(size)\n")
    }

    @Test func paxRecordLengthCrossingADigitBoundary() {
        // A body of 97 bytes fits a two-digit length (99); one of 98 would make 100, so it takes three (101).
        let fits = String(repeating: "a", count: 97 - " path=\n".utf8.count)
        #expect(String(decoding: TarHeader.paxRecords([("path", fits)]), as: UTF8.self).hasPrefix("99 "))
        let crosses = fits + "a"
        let record = String(decoding: TarHeader.paxRecords([("path", crosses)]), as: UTF8.self)
        #expect(record.hasPrefix("101 "))
        #expect(record.utf8.count == 101)
    }
}
