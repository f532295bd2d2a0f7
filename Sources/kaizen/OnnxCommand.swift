import ArgumentParser
import Foundation
import KaizenONNX

/// `kaizen onnx ...`: inspect and measure ONNX models with Kaizen's engine.
struct OnnxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "onnx", abstract: "Inspect and benchmark ONNX models with Kaizen's engine.",
        subcommands: [Inspect.self, Check.self, Bench.self])

    struct Inspect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a model, check that Kaizen can run it, and print its inputs and outputs.")

        @Argument(help: "Path to an .onnx file (external tensor data is read from its folder).")
        var model: String

        func run() async throws {
            let started = ContinuousClock.now
            let loaded = try ONNXModel(contentsOf: URL(fileURLWithPath: model))
            let elapsed = ContinuousClock.now - started
            print("model     \(model)")
            print("producer  \(loaded.producer.name) \(loaded.producer.version)")
            print("ir        \(loaded.irVersion)")
            print(
                "opsets    \(loaded.opsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))"
            )
            print("loaded in \(String(format: "%.2f", elapsed.milliseconds)) ms")
            print("inputs:")
            for input in loaded.inputs { print("  \(input.name): \(input.type)") }
            print("outputs:")
            for output in loaded.outputs { print("  \(output.name): \(output.type)") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run models on stored inputs and compare with stored outputs (ONNX's backend-test layout).",
            discussion: """
                Each CASE is a folder with model.onnx and test_data_set_0/{input,output}_N.pb; a case.json with \
                "rtol"/"atol" there raises the tolerances. Exits 1 if any output differs.
                """)

        @Argument(help: "Case folders.")
        var cases: [String]

        @Option(help: "Relative tolerance for floating-point outputs.")
        var rtol: Double = 1e-5

        @Option(help: "Absolute tolerance for floating-point outputs.")
        var atol: Double = 1e-5

        func run() async throws {
            var failures = 0
            for path in cases {
                let folder = URL(fileURLWithPath: path)
                let given = ReferenceDataSet.tolerances(inCase: folder)
                let rtol = max(self.rtol, given.rtol ?? 0)
                let atol = max(self.atol, given.atol ?? 0)
                do {
                    let model = try ONNXModel(contentsOf: folder.appendingPathComponent("model.onnx"))
                    let dataSet = try ReferenceDataSet(
                        directory: folder.appendingPathComponent("test_data_set_0"), model: model)
                    let problems = try dataSet.mismatches(running: model, rtol: rtol, atol: atol)
                    if problems.isEmpty {
                        print("ok    \(folder.lastPathComponent)")
                    } else {
                        failures += 1
                        print("FAIL  \(folder.lastPathComponent): \(problems.joined(separator: "; "))")
                    }
                } catch {
                    failures += 1
                    print("FAIL  \(folder.lastPathComponent): \(error)")
                }
            }
            print("\(cases.count - failures) of \(cases.count) cases match")
            if failures > 0 { throw ExitCode(1) }
        }
    }

    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Measure model loading, batch throughput and single-row latency (on one thread unless --threads).",
            discussion: """
                Rows come from --input, a serialized ONNX TensorProto of shape [rows, features] (for example \
                written with onnx.numpy_helper.from_array). Batches cycle through those rows; single-row calls \
                take one row at a time. With --feeds instead, a folder of input_<i>.pb files (ONNX's test data \
                layout) is run whole, call after call, for --seconds: for models of several inputs, such as \
                transformer encoders. Prints JSON.
                """)

        @Argument(help: "Path to an .onnx file with one tensor input (any inputs with --feeds).")
        var model: String

        @Option(help: "A TensorProto file with the rows to score.")
        var input: String?

        @Option(help: "A folder of input_<i>.pb files, one per model input, to time whole calls on.")
        var feeds: String?

        @Option(help: "Batch sizes to measure throughput at (repeatable).")
        var batch: [Int] = [1000]

        @Option(help: "Seconds to spend on each batch size.")
        var seconds: Double = 2

        @Option(help: "Timed single-row calls (after --warmup untimed ones).")
        var calls: Int = 5000

        @Option(help: "Untimed single-row calls before timing.")
        var warmup: Int = 300

        @Option(help: "Times to load the model for the load-time figure.")
        var loads: Int = 5

        @Option(help: "Threads one call may use (large products and attention split across them).")
        var threads: Int = 1

        func validate() throws {
            guard batch.allSatisfy({ $0 > 0 }), seconds > 0, calls > 0, warmup >= 0, loads > 0 else {
                throw ValidationError("batch sizes, --seconds, --calls and --loads must be positive")
            }
            guard (input == nil) != (feeds == nil) else {
                throw ValidationError("give --input or --feeds, one of them")
            }
        }

        func run() async throws {
            AllocatorTuning.keepLargeBlocks()
            IntraOpThreads.set(threads)
            let url = URL(fileURLWithPath: model)
            var loadTimes: [Double] = []
            var loaded: ONNXModel?
            for _ in 0..<loads {
                let started = ContinuousClock.now
                loaded = try ONNXModel(contentsOf: url)
                loadTimes.append((ContinuousClock.now - started).milliseconds)
            }
            guard let loaded else { return }
            if let feeds {
                let data = try ReferenceDataSet(directory: URL(fileURLWithPath: feeds), model: loaded)
                _ = try loaded.run(data.inputs)
                var times: [Double] = []
                let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                repeat {
                    let started = ContinuousClock.now
                    _ = try loaded.run(data.inputs)
                    times.append((ContinuousClock.now - started).milliseconds)
                } while ContinuousClock.now < deadline || times.count < 3
                let report: [String: Any] = [
                    "model": model, "load_ms": ["median": percentile(loadTimes, 0.5), "min": loadTimes.min() ?? 0],
                    "calls": times.count, "calls_per_second": Double(times.count) / (times.reduce(0, +) / 1000),
                    "call_ms": [
                        "median": percentile(times, 0.5), "p99": percentile(times, 0.99), "min": times.min() ?? 0,
                    ],
                ]
                let json = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: json, as: UTF8.self))
                return
            }
            guard let input, let info = loaded.inputs.first, loaded.inputs.count == 1 else {
                throw ValidationError("the benchmark needs a model with exactly one input")
            }
            let value = try Value(serializedData: Data(contentsOf: URL(fileURLWithPath: input)), as: info.type)
            guard let rows = value.tensor, rows.rank == 2, let features = rows.floats, rows.shape[0] > 0 else {
                throw ValidationError("--input must hold a float tensor of shape [rows, features]")
            }
            let benchmark = ThroughputBenchmark(
                model: loaded, inputName: info.name, rows: features, rowCount: rows.shape[0], width: rows.shape[1])
            var report: [String: Any] = [
                "model": model, "rows": rows.shape[0], "features": rows.shape[1],
                "load_ms": ["median": percentile(loadTimes, 0.5), "min": loadTimes.min() ?? 0],
            ]
            var batches: [String: Any] = [:]
            for size in batch {
                batches[String(size)] = try benchmark.rowsPerSecond(batch: size, seconds: seconds)
            }
            report["rows_per_second"] = batches
            let latencies = try benchmark.singleRowLatencies(calls: calls, warmup: warmup)
            report["single_row_us"] = [
                "median": percentile(latencies, 0.5), "p99": percentile(latencies, 0.99), "min": latencies.min() ?? 0,
                "calls": latencies.count,
            ]
            let json = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: json, as: UTF8.self))
        }
    }
}

/// The value at quantile `q` of the samples (nearest rank).
func percentile(_ samples: [Double], _ q: Double) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
}

extension Duration {
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) * 1e-18
    }

    var milliseconds: Double { seconds * 1000 }
}
