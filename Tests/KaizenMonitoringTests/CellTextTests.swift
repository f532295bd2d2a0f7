import Testing

@testable import KaizenMonitoring

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

struct CellTextTests {
    /// Every cell the short path takes reads as the C library reads it, and as an integer exactly when it has no
    /// point.
    @Test func shortDecimalsReadAsTheCLibraryReadsThem() {
        var generator = SystemRandomNumberGenerator()
        var cells = ["0", "-0", "0.0", "-0.000", "5.", ".5", "-.5", "007", "9007199254740992", "0.9007199254740993"]
        for _ in 0..<20_000 {
            let whole = String(UInt64.random(in: 0..<1_000_000_000, using: &generator))
            let places = Int.random(in: 0...8, using: &generator)
            let fraction = String((0..<places).map { _ in Character(String(Int.random(in: 0...9))) })
            let sign = Bool.random(using: &generator) ? "-" : ""
            cells.append(places == 0 ? sign + whole : sign + whole + "." + fraction)
        }
        for cell in cells {
            let bytes = Array(cell.utf8)
            let short = bytes.withUnsafeBufferPointer { CellText.shortDecimal($0) }
            let read = bytes.withUnsafeBufferPointer { CellText.number($0) }
            #expect(read != nil, "\(cell)")
            guard let short, let read else { continue }
            #expect(short.value.bitPattern == strtod(cell, nil).bitPattern, "\(cell)")
            #expect(short.value.bitPattern == read.value.bitPattern && short.integral == !cell.contains("."), "\(cell)")
        }
    }

    @Test func othersAreLeftToTheGeneralPath() {
        for cell in ["", "-", ".", "+1", "1e5", "1.2.3", "12345678901234567890", "0.99999999999999999", "1,5", "nan"] {
            let bytes = Array(cell.utf8)
            #expect(bytes.withUnsafeBufferPointer { CellText.shortDecimal($0) } == nil, "\(cell)")
        }
    }
}
