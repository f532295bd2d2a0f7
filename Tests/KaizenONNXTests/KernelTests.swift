import Foundation
import KaizenCore
import Testing

@testable import KaizenONNX

/// Numerical kernels checked against straightforward reference computations.
struct KernelTests {
    @Test func vectorExpAndLogisticAreAccurate() {
        var worstExp: Float = 0
        var worstLogistic: Float = 0
        var x: Float = -87
        while x < 88 {
            let lanes = SIMD8<Float>((0..<8).map { x + Float($0) * 0.013 })
            let exp = VectorMath.exp(lanes)
            let logistic = VectorMath.logistic(lanes)
            for lane in 0..<8 {
                let reference = Foundation.exp(Double(lanes[lane]))
                worstExp = max(worstExp, Float(abs(Double(exp[lane]) - reference) / reference))
                let sigmoid = 1 / (1 + Foundation.exp(-Double(lanes[lane])))
                worstLogistic = max(worstLogistic, Float(abs(Double(logistic[lane]) - sigmoid)))
            }
            x += 0.37
        }
        #expect(worstExp < 2e-7, "exp relative error \(worstExp)")
        #expect(worstLogistic < 1e-7, "logistic absolute error \(worstLogistic)")
        #expect(VectorMath.logistic(SIMD8(repeating: -200))[0] == 0)
        #expect(VectorMath.logistic(SIMD8(repeating: 200))[0] == 1)
    }

    @Test(arguments: [PackedMatrix.Activation.none, .relu, .gelu])
    func packedProductsMatchNaiveProducts(_ activation: PackedMatrix.Activation) throws {
        let seed = try SplitMix64.seed(default: 7)
        var generator = SplitMix64(seed: seed)
        func random() -> Float { Float(generator.next() % 2001) / 1000 - 1 }
        func activated(_ x: Double) -> Double {
            switch activation {
            case .none: x
            case .relu: max(x, 0)
            case .gelu: x * (1 + Foundation.erf(x / 2.0.squareRoot())) / 2
            }
        }
        for (m, k, n) in [
            (1, 1, 1), (7, 30, 100), (13, 100, 2), (64, 17, 33), (5, 3, 4), (6, 64, 16), (9, 40, 3), (19, 30, 100),
            (17, 12, 48), (8, 5, 16), (70, 9, 40),
        ] {
            let a = (0..<(m * k)).map { _ in random() }
            let b = (0..<(k * n)).map { _ in random() }
            let bias = (0..<n).map { _ in random() }
            let expected = (0..<(m * n)).map { index -> Double in
                let (row, column) = (index / n, index % n)
                let sum = (0..<k).reduce(0.0) { $0 + Double(a[row * k + $1]) * Double(b[$1 * n + column]) }
                return activated(sum + Double(bias[column]))
            }
            let packed = PackedMatrix(b, rows: k, columns: n).withEpilogue(bias: bias, activation: activation)
            let actual = packed.multiply(a, m: m)
            let worst = zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worst < 1e-4, "seed \(seed), \(m)x\(k)x\(n), \(activation): worst difference \(worst)")
            let transposed = PackedMatrix(
                (0..<(k * n)).map { b[($0 % k) * n + $0 / k] }, rows: k, columns: n, transposed: true)
            #expect(
                transposed.multiply(a, m: m) == PackedMatrix(b, rows: k, columns: n).multiply(a, m: m),
                "seed \(seed), \(m)x\(k)x\(n)")
        }
    }
}

/// `Where` with broadcasting, as the native scikit-learn imputer uses it.
struct WhereKernelTests {
    @Test func choosesByConditionAcrossBroadcastShapes() throws {
        let condition = try Tensor(shape: [2, 3], bools: [true, false, true, false, false, true])
        let x = try Tensor(shape: [3], doubles: [10, 20, 30])
        let y = try Tensor(shape: [2, 3], doubles: [1, 2, 3, 4, 5, 6])
        let result = try WhereKernel().run([.tensor(condition), .tensor(x), .tensor(y)])
        let tensor = try #require(result.first?.tensor)
        #expect(tensor.shape == [2, 3])
        #expect(tensor.doubles == [10, 2, 30, 4, 5, 30])
    }

    @Test func refusesMismatchedInputs() throws {
        let condition = try Tensor(shape: [2], bools: [true, false])
        let doubles = try Tensor(shape: [2], doubles: [1, 2])
        let floats = try Tensor(shape: [2], floats: [1, 2])
        let wrongShape = try Tensor(shape: [3], doubles: [1, 2, 3])
        #expect(throws: ONNXError.self) {
            try WhereKernel().run([.tensor(doubles), .tensor(doubles), .tensor(doubles)])
        }
        #expect(throws: ONNXError.self) {
            try WhereKernel().run([.tensor(condition), .tensor(doubles), .tensor(floats)])
        }
        #expect(throws: ONNXError.self) {
            try WhereKernel().run([.tensor(condition), .tensor(doubles), .tensor(wrongShape)])
        }
    }
}
