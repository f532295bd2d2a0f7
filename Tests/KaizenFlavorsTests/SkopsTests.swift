import Foundation
import KaizenCore
import KaizenONNX
import Testing

@testable import KaizenFlavors

/// skops files built here byte by byte: ZIP entries, .npy arrays, schemas; the allow-list and the bounds hold.
struct SkopsTests {
    /// A stored (uncompressed) ZIP of `entries`, in order.
    static func zip(_ entries: [(String, [UInt8])], declaredSize: UInt32? = nil) -> [UInt8] {
        var local: [UInt8] = []
        var central: [UInt8] = []
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(value >> (8 * UInt32($0)) & 0xFF) } }
        for (name, data) in entries {
            let crc = data.withUnsafeBufferPointer { UInt32(crc32Checksum($0)) }
            let size = declaredSize ?? UInt32(data.count)
            let offset = UInt32(local.count)
            local +=
                le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc)
                + le32(UInt32(data.count)) + le32(size) + le16(name.utf8.count) + le16(0) + Array(name.utf8) + data
            central +=
                le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(crc)
                + le32(UInt32(data.count)) + le32(size) + le16(name.utf8.count) + le16(0) + le16(0) + le16(0)
                + le16(0) + le32(0) + le32(offset) + Array(name.utf8)
        }
        let end =
            le32(0x0605_4B50) + le16(0) + le16(0) + le16(entries.count) + le16(entries.count)
            + le32(UInt32(central.count)) + le32(UInt32(local.count)) + le16(0)
        return local + central + end
    }

    static func crc32Checksum(_ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in buffer {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// A version-1 .npy of `descr` and `shape` holding `data`.
    static func npy(_ descr: String, _ shape: String, _ data: [UInt8]) -> [UInt8] {
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
        header += "\n"
        let length = header.utf8.count
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
            + data
    }

    static func doubles(_ values: [Double]) -> [UInt8] {
        values.flatMap { value in (0..<8).map { UInt8(value.bitPattern >> (8 * UInt64($0)) & 0xFF) } }
    }

    static func json(_ text: String) -> String {
        #"{"__class__": "str", "__module__": "builtins", "__loader__": "JsonNode", "content": "\#(text)", "is_json": true}"#
    }

    static func array(_ file: String) -> String {
        #"{"__class__": "ndarray", "__module__": "numpy", "__loader__": "NdArrayNode", "type": "numpy", "file": "\#(file)"}"#
    }

    /// `LinearRegression` over two features, coef [2, -1], intercept 0.5, as skops writes it.
    static func linearRegression(extraField: String = "") -> [UInt8] {
        let schema = """
            {"__class__": "LinearRegression", "__module__": "sklearn.linear_model._base", "__loader__": "ObjectNode",
             "content": {"__class__": "dict", "__module__": "builtins", "__loader__": "DictNode", "content": {
               "n_features_in_": \(json("2")), "coef_": \(array("coef.npy")), "intercept_": \(array("intercept.npy"))
               \(extraField)}}}
            """
        return zip([
            ("schema.json", Array(schema.utf8)), ("coef.npy", npy("<f8", "(2,)", doubles([2, -1]))),
            ("intercept.npy", npy("<f8", "()", doubles([0.5]))),
        ])
    }

    @Test func aLinearRegressionPredictsInDoubles() throws {
        let engine = try SklearnModel(bytes: Self.linearRegression()).engine()
        let input = try Tensor(shape: [2, 2], doubles: [1, 1, 0.1, 0.2])
        let prediction = try #require(engine.run(["input": input])["prediction"]?.tensor?.doubles)
        #expect(prediction == [1.5, 2 * 0.1 - 0.2 + 0.5])
    }

    @Test func numpyArraysAreReadAndCheckedAgainstTheirHeader() throws {
        let array = try NPYArray(bytes: Self.npy("<f8", "(2, 1)", Self.doubles([1, 2])), name: "a")
        #expect(array.shape == [2, 1] && array.doubles == [1, 2])
        let strings = try NPYArray(
            bytes: Self.npy("<U2", "(2,)", Array("a\0\0\0b\0\0\0c\0\0\0\0\0\0\0".utf8)), name: "s")
        #expect(strings.values == .strings(["ab", "c"]))
        for (bytes, message) in [
            (Self.npy("|O", "(1,)", [0]), "holds '|O' elements"),
            (Self.npy("<f8", "(3,)", Self.doubles([1])), "holds 8 bytes for 3 elements"),
            (Self.npy("<f8", "(99999999999,)", []), "has shape"),
            (Array("NOTNUMPY".utf8), "is not a NumPy .npy file"),
        ] {
            #expect(throws: FlavorError.self) { try NPYArray(bytes: bytes, name: "x") }
            do { _ = try NPYArray(bytes: bytes, name: "x") } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }

    @Test func hostileFilesAreRefusedNamed() {
        let function = #"""
            {"__class__": "system", "__module__": "os", "__loader__": "FunctionNode", "content": {"module_path": "os", "function": "system"}}
            """#
        let object = #"{"__class__": "Popen", "__module__": "subprocess", "__loader__": "ObjectNode", "content": {}}"#
        let cases: [([UInt8], String)] = [
            (Self.zip([("schema.json", Array(function.utf8))]), "the function 'os.system'"),
            (Self.zip([("schema.json", Array(object.utf8))]), "class 'subprocess.Popen', which Kaizen does not load"),
            (Self.linearRegression(extraField: #", "x": \#(function)"#), "the function 'os.system'"),
            (Self.zip([("../schema.json", [1])]), "'../schema.json', which is not a plain file name"),
            (Self.zip([("/etc/passwd", [1])]), "not a plain file name"),
            (Self.zip([("schema.json", [1])], declaredSize: 0xF000_0000), "declares 4026531840 bytes"),
            (Self.zip([("a.npy", [1])]), "has no entry 'schema.json'"),
            (Array(Self.linearRegression().dropLast(30)), "not a ZIP archive"),
            ([1, 2, 3], "not a ZIP archive"),
        ]
        for (bytes, message) in cases {
            do {
                _ = try SklearnModel(bytes: bytes)
                Issue.record("accepted: \(message)")
            } catch {
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
    }
}

/// The column order of `PolynomialFeatures`, against scikit-learn's `powers_` for the same settings.
struct PolynomialTermsTests {
    @Test func termsFollowScikitLearnsOrder() {
        // PolynomialFeatures(2).fit(3 features).powers_: 1, x0, x1, x2, x0², x0x1, x0x2, x1², x1x2, x2².
        #expect(
            SklearnModel.polynomialTerms(features: 3, minimum: 0, maximum: 2, interactionOnly: false, bias: true) == [
                [], [0], [1], [2], [0, 0], [0, 1], [0, 2], [1, 1], [1, 2], [2, 2],
            ])
        // PolynomialFeatures((1, 3), interaction_only=True): bias, x0, x1, x2, x0x1, x0x2, x1x2, x0x1x2.
        #expect(
            SklearnModel.polynomialTerms(features: 3, minimum: 1, maximum: 3, interactionOnly: true, bias: true) == [
                [], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2],
            ])
        // Too many columns is refused, not built.
        #expect(
            SklearnModel.polynomialTerms(features: 1000, minimum: 0, maximum: 8, interactionOnly: false, bias: true)
                == nil)
        // PolynomialFeatures((2, 2), include_bias=False) over two features: x0², x0x1, x1².
        #expect(
            SklearnModel.polynomialTerms(features: 2, minimum: 2, maximum: 2, interactionOnly: false, bias: false) == [
                [0, 0], [0, 1], [1, 1],
            ])
    }
}
