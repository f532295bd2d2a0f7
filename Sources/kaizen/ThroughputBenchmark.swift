import Foundation
import KaizenONNX

/// Times a one-input model on rows of a float matrix.
struct ThroughputBenchmark {
    let model: ONNXModel
    let inputName: String
    let rows: [Float]
    let rowCount: Int
    let width: Int

    /// Slices of `size` rows, cycling through the data (a slice may wrap around to the first rows).
    func batches(of size: Int) throws -> [Tensor] {
        let count = max(1, min(8, rowCount / size))
        var tensors: [Tensor] = []
        for index in 0..<count {
            var values: [Float] = []
            values.reserveCapacity(size * width)
            for row in 0..<size {
                let source = (index * size + row) % rowCount
                values.append(contentsOf: rows[(source * width)..<((source + 1) * width)])
            }
            tensors.append(try Tensor(shape: [size, width], floats: values))
        }
        return tensors
    }

    /// The median rows per second over repeated runs filling `seconds`.
    func rowsPerSecond(batch size: Int, seconds: Double) throws -> Double {
        let tensors = try batches(of: size)
        _ = try model.run([inputName: tensors[0]])
        var rates: [Double] = []
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var index = 0
        repeat {
            let started = ContinuousClock.now
            _ = try model.run([inputName: tensors[index % tensors.count]])
            let elapsed = (ContinuousClock.now - started).seconds
            rates.append(Double(size) / elapsed)
            index += 1
        } while ContinuousClock.now < deadline || rates.count < 3
        return percentile(rates, 0.5)
    }

    /// Microseconds per call of one row, building the input tensor inside the timed region as a caller would.
    func singleRowLatencies(calls: Int, warmup: Int) throws -> [Double] {
        var latencies: [Double] = []
        latencies.reserveCapacity(calls)
        for call in 0..<(warmup + calls) {
            let row = call % rowCount
            let started = ContinuousClock.now
            let tensor = try Tensor(shape: [1, width], floats: Array(rows[(row * width)..<((row + 1) * width)]))
            _ = try model.run([inputName: tensor])
            let elapsed = ContinuousClock.now - started
            if call >= warmup { latencies.append(elapsed.seconds * 1e6) }
        }
        return latencies
    }
}
