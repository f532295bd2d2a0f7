import Logging
import NIOCore
import PostgresNIO
import Testing

@testable import KaizenPostgres

/// Arrays bound in PostgreSQL's binary format (`WireArray`) and read back element by element (`RowColumns`), on a
/// real server: what goes in comes out, and the server reads every element as the one sent.
@Suite(.enabled(if: TestPostgres.isRequired, "no PostgreSQL server (KAIZEN_TEST_POSTGRES_URL)"))
struct WireArrayTests {
    @Test func valuesGoInAndComeBackUnchanged() async throws {
        let database = try await TestPostgres.open()
        let texts = [
            "", "plain", "ünïcødé ✓", "quote ' and \" and \\", "tab\tnew\nline", String(repeating: "x", count: 70_000),
        ]
        let doubles = [0, -0.0, 1.5, -2.25e-300, .greatestFiniteMagnitude, .infinity, -.infinity]
        let integers: [Int64] = [0, 1, -1, .min, .max]
        let (readTexts, readDoubles, readIntegers, lengths, sum, nanCount, empty) = try await database.read {
            connection in
            var result: ([String], [Double], [Int64], [Int32], Double, Int64, [String]) = ([], [], [], [], 0, 0, [])
            let rows = try await connection.query(
                """
                SELECT \(WireArray(texts))::text[], \(WireArray(doubles))::float8[], \(WireArray(integers))::int8[],
                       (SELECT array_agg(length(t))::int4[] FROM unnest(\(WireArray(texts))::text[]) t),
                       (SELECT sum(d) FILTER (WHERE d BETWEEN -10 AND 10) FROM unnest(\(WireArray(doubles))::float8[]) d),
                       (SELECT count(*) FROM unnest(\(WireArray([Double.nan, 1, .nan]))::float8[]) d WHERE d = 'NaN'),
                       \(WireArray([String]()))::text[]
                """, logger: Logger(label: "test"))
            try await RowColumns.forEach(rows) { row in
                result = (
                    try row.nextArray(RowColumns.string), try row.nextArray(RowColumns.double),
                    try row.nextArray(RowColumns.int64), try row.nextArray(RowColumns.int32),
                    try row.next(Double.self), try row.next(Int64.self), try row.nextArray(RowColumns.string)
                )
            }
            return result
        }
        await TestPostgres.drop(database)
        #expect(readTexts == texts)
        #expect(readDoubles.map(\.bitPattern) == doubles.map(\.bitPattern))
        #expect(readIntegers == integers)
        #expect(lengths == texts.map { Int32($0.unicodeScalars.count) })
        #expect(sum == 1.5)
        #expect(nanCount == 2)
        #expect(empty.isEmpty)
    }

    @Test func readingPastTheEndIsRefused() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0, 0]
        bytes.withUnsafeBytes { buffer in
            var reader = BigEndianReader(buffer)
            #expect(reader.int32() == 1)
            #expect(reader.bytes(3) == nil)
            #expect(reader.int32() == nil)
            #expect(reader.bytes(2)?.count == 2)
            #expect(reader.bytes(1) == nil)
            #expect(RowColumns.double(UnsafeRawBufferPointer(rebasing: buffer[0..<4])) == nil)
            #expect(RowColumns.int32(UnsafeRawBufferPointer(rebasing: buffer[0..<4])) == 1)
            #expect(RowColumns.bool(UnsafeRawBufferPointer(rebasing: buffer[3..<4])) == true)
        }
    }
}
