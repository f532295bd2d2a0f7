import Foundation
import KaizenArtifacts
import KaizenCore
import KaizenDeploy
import KaizenONNX
import KaizenRegistry
import KaizenServing

/// A rollout's contract checks, run by the control plane before the candidate gets any traffic: both versions are
/// read from the artifact store and loaded on Kaizen's engine, then
///
/// - `loads`: the candidate loads (replicas switch to a plan only once every version in it has loaded, so a
///   candidate that loads here is loaded by each replica before its first request);
/// - `signature`: every input the candidate requires is one the stable version takes, with the same type, so
///   requests written for the stable version are accepted;
/// - `examples`: the candidate answers the input examples saved with either version with the same output names and
///   the same JSON types as the stable version (a string `"false"` where the stable version says `false` fails);
/// - `latency`: on those examples, the candidate's median time is within the rollout's `contract_latency_budget`
///   times the stable's (or under `contract_latency_floor_ms`).
struct ModelContractChecker: ContractChecker {
    let registry: any RegistryStore
    let artifacts: any ArtifactStore
    /// The most bytes of one version's files read for the checks.
    var maximumBytes: Int64 = 2 << 30

    func check(
        model: String, stable: Int64, candidate: Int64, endpoint: String, since: Int64, thresholds: AnalysisThresholds
    ) async throws -> [ContractCheckResult]? {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("kaizen-contract-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let stableFolder = scratch.appendingPathComponent("stable")
        let candidateFolder = scratch.appendingPathComponent("candidate")
        let stableModel: ScoringModel
        do {
            stableModel = try await load(model, stable, into: stableFolder)
        } catch {
            return [
                ContractCheckResult(name: "loads", passed: false, detail: "the stable version does not load: \(error)")
            ]
        }
        let candidateModel: ScoringModel
        do {
            candidateModel = try await load(model, candidate, into: candidateFolder)
        } catch {
            return [ContractCheckResult(name: "loads", passed: false, detail: "\(error)")]
        }
        var results = [ContractCheckResult(name: "loads", passed: true, detail: "version \(candidate) loads")]
        results.append(signature(stable: stableModel, candidate: candidateModel))
        let examples = [stableFolder, candidateFolder].compactMap(Self.inputExample)
        results += try await compare(
            stable: stableModel, candidate: candidateModel, on: examples,
            latencyBudget: thresholds.contractLatencyBudget,
            latencyFloor: .nanoseconds(Int64(thresholds.contractLatencyFloor * 1e9)))
        return results
    }

    /// Every input the candidate needs is one the stable version takes, with the same type.
    func signature(stable: ScoringModel, candidate: ScoringModel) -> ContractCheckResult {
        let stableInputs = Dictionary(
            Self.inputs(of: stable).map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        for (name, type) in Self.inputs(of: candidate) {
            guard let stableType = stableInputs[name] else {
                problems.append("the candidate needs '\(name)', which the stable version does not take")
                continue
            }
            if stableType != type {
                problems.append("'\(name)' is \(stableType) for the stable version and \(type) for the candidate")
            }
        }
        return ContractCheckResult(
            name: "signature", passed: problems.isEmpty,
            detail: problems.isEmpty
                ? "the candidate accepts every input of the stable version" : problems.joined(separator: "; "))
    }

    /// Input names and types, from the MLmodel signature or else the ONNX graph.
    static func inputs(of model: ScoringModel) -> [(name: String, type: String)] {
        switch model.signature {
        case .columns(let columns)?: columns.enumerated().map { ($1.name ?? "column \($0)", "\($1.type)") }
        case .tensors(let tensors)?: tensors.enumerated().map { ($1.name ?? "tensor \($0)", "\($1.dtype)\($1.shape)") }
        case nil: model.inputs.map { ($0.name, "\($0.type)") }
        }
    }

    /// Output names and JSON types, and latency, on each example.
    func compare(
        stable: ScoringModel, candidate: ScoringModel, on examples: [JSONValue], latencyBudget: Double,
        latencyFloor: Duration
    ) async throws -> [ContractCheckResult] {
        guard !examples.isEmpty else {
            let none = "neither version was logged with an input example"
            return [
                ContractCheckResult(name: "examples", passed: true, detail: "not checked: \(none)"),
                ContractCheckResult(name: "latency", passed: true, detail: "not checked: \(none)"),
            ]
        }
        var problems: [String] = []
        var stableTimes: [Duration] = []
        var candidateTimes: [Duration] = []
        for (index, example) in examples.enumerated() {
            let input: ScoringInput
            do { input = try ScoringRequest.input(of: Self.request(for: example)) } catch {
                problems.append("example \(index + 1) cannot be read: \(error.message)")
                continue
            }
            let expected: JSONValue
            do { expected = try await Self.answer(stable, input, times: &stableTimes) } catch {
                // An example the stable version itself refuses says nothing about the candidate.
                continue
            }
            do {
                let got = try await Self.answer(candidate, input, times: &candidateTimes)
                if let difference = Self.typeDifference(expected, got, path: "predictions") {
                    problems.append("example \(index + 1): \(difference)")
                }
            } catch {
                problems.append("example \(index + 1) is refused by the candidate: \(error)")
            }
        }
        var results = [
            ContractCheckResult(
                name: "examples", passed: problems.isEmpty,
                detail: problems.isEmpty
                    ? "the candidate answers \(examples.count) example(s) with the stable version's output names and "
                        + "types" : problems.joined(separator: "; "))
        ]
        let stableMedian = Self.median(stableTimes)
        let candidateMedian = Self.median(candidateTimes)
        let withinBudget =
            candidateMedian <= latencyFloor || candidateMedian <= stableMedian * latencyBudget
        results.append(
            ContractCheckResult(
                name: "latency", passed: withinBudget,
                detail: "median \(Self.milliseconds(candidateMedian)) for the candidate, "
                    + "\(Self.milliseconds(stableMedian)) for the stable version (budget \(latencyBudget)x, or under "
                    + "\(Self.milliseconds(latencyFloor)))"))
        return results
    }

    /// The prediction JSON of `model` on `input`, timed over a few runs.
    static func answer(
        _ model: ScoringModel, _ input: ScoringInput, times: inout [Duration]
    ) async throws -> JSONValue {
        let service = ScoringService(model: model)
        var last: [UInt8] = []
        for _ in 0..<5 {
            let started = ContinuousClock.now
            last = try await service.predict(input).json()
            times.append(ContinuousClock.now - started)
        }
        return try JSONValue(parsing: last)
    }

    /// Where two answers differ in shape: a missing or extra key, or another JSON type at the same place.
    static func typeDifference(_ expected: JSONValue, _ got: JSONValue, path: String) -> String? {
        switch (expected, got) {
        case (.object(let left), .object(let right)):
            let leftKeys = left.map(\.0)
            let rightKeys = right.map(\.0)
            guard Set(leftKeys) == Set(rightKeys) else {
                return "\(path) has outputs \(rightKeys.sorted()) where the stable version has \(leftKeys.sorted())"
            }
            for (key, value) in left {
                if let other = got[key], let difference = typeDifference(value, other, path: "\(path).\(key)") {
                    return difference
                }
            }
            return nil
        case (.array(let left), .array(let right)):
            for (index, (a, b)) in zip(left, right).enumerated() {
                if let difference = typeDifference(a, b, path: "\(path)[\(index)]") { return difference }
            }
            return left.count == right.count ? nil : "\(path) has \(right.count) items, not \(left.count)"
        default:
            let (a, b) = (typeName(expected), typeName(got))
            return a == b
                ? nil : "\(path) is \(b) (\(got.jsonText)) where the stable version gives \(a) (\(expected.jsonText))"
        }
    }

    static func typeName(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .double: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.3f ms", Double(seconds) * 1000 + Double(attoseconds) / 1e15)
    }

    static func median(_ times: [Duration]) -> Duration {
        guard !times.isEmpty else { return .zero }
        return times.sorted()[times.count / 2]
    }

    /// An example file as a scoring request: a DataFrame in split form (`columns`, `data`) or anything else as
    /// `inputs`.
    static func request(for example: JSONValue) -> JSONValue {
        if example["columns"] != nil, example["data"] != nil { return .object([("dataframe_split", example)]) }
        if example["inputs"] != nil || example["dataframe_split"] != nil || example["dataframe_records"] != nil {
            return example
        }
        return .object([("inputs", example)])
    }

    /// The `input_example.json` saved beside the MLmodel, if any.
    static func inputExample(in folder: URL) -> JSONValue? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("input_example.json").path)
        else { return nil }
        return try? JSONValue(parsing: Array(data))
    }

    // MARK: Reading a version's files

    func load(_ model: String, _ version: Int64, into folder: URL) async throws -> ScoringModel {
        guard let found = try await registry.modelVersion(name: model, version: version) else {
            throw KaizenError.notFound("Model Version (name=\(model), version=\(version)) not found")
        }
        let location = found.downloadURI
        guard location.hasPrefix("mlflow-artifacts:") else {
            throw KaizenError.invalidParameter(
                "version \(version)'s files are at \(location), which the control plane does not read")
        }
        var rest = Substring(location.dropFirst("mlflow-artifacts:".count))
        if rest.hasPrefix("//") { rest = rest.dropFirst(2).drop { $0 != "/" } }
        let root = try ArtifactPath(validating: String(rest.drop { $0 == "/" }))
        var total: Int64 = 0
        try await copy(root, into: folder, depth: 0, total: &total)
        return try ScoringModel(
            package: try ModelPackage(at: folder), name: model, version: String(version))
    }

    func copy(_ path: ArtifactPath, into folder: URL, depth: Int, total: inout Int64) async throws {
        guard depth < 16 else { throw KaizenError.invalidParameter("\(path) is nested too deeply") }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for entry in try await artifacts.list(path) {
            let child = path.appending(entry.name)
            let target = folder.appendingPathComponent(entry.name)
            if entry.isDirectory {
                try await copy(child, into: target, depth: depth + 1, total: &total)
            } else {
                total += try await write(try await artifacts.read(child), to: target, budget: maximumBytes - total)
            }
        }
    }

    /// Writes `content` to `target`; at most `budget` bytes.
    func write(_ content: ArtifactContent, to target: URL, budget: Int64) async throws -> Int64 {
        guard FileManager.default.createFile(atPath: target.path, contents: nil) else {
            throw KaizenError.invalidParameter("cannot write \(target.path)")
        }
        let handle = try FileHandle(forWritingTo: target)
        defer { try? handle.close() }
        var written: Int64 = 0
        for try await chunk in content {
            written += Int64(chunk.count)
            guard written <= budget else {
                throw KaizenError.invalidParameter("the model is larger than \(maximumBytes) bytes")
            }
            try handle.write(contentsOf: Data(chunk))
        }
        return written
    }
}
