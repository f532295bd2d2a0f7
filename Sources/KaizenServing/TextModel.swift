import Foundation
import KaizenCore
import KaizenONNX
import KaizenTokenizers

/// A transformer served text in: texts are tokenized, padded to the longest of their batch and fed to the encoder
/// as `input_ids`, `attention_mask` and `token_type_ids`; its first output becomes labels with probabilities, or
/// embeddings. Clients see the texts as the model's inputs and the answers as its outputs.
struct TextModel: Sendable {
    /// What an encoder input takes from an encoding.
    enum Role: Sendable {
        case ids, attentionMask, typeIDs
    }

    let settings: TextSettings
    let tokenizer: Tokenizer
    let paddingID: Int
    /// The encoder's inputs in its order, with what each takes and its integer type.
    let feeds: [(name: String, role: Role, type: ElementType)]
    /// The sequence length the encoder is fixed to, if it is.
    let fixedLength: Int?
    /// The encoder output the answer is made from.
    let output: String
    /// What clients send: the text column (and the pair column).
    let inputs: [ValueInfo]
    /// What clients get back.
    let outputs: [ValueInfo]
    /// What a call costs, measured at load: how a request's texts are cut into calls.
    private(set) var cost = EncoderCost.flat

    init(settings: TextSettings, tokenizer: Tokenizer, engine: ONNXModel) throws(ServingError) {
        self.settings = settings
        var feeds: [(name: String, role: Role, type: ElementType)] = []
        var fixedLength: Int?
        for input in engine.inputs {
            guard case .tensor(let type, let shape) = input.type, type == .int64 || type == .int32 else {
                throw ServingError.invalidModel(
                    "The text model's input '\(input.name)' is \(input.type); a text model takes int64 or int32 token "
                        + "tensors")
            }
            let role: Role
            switch input.name {
            case let name where name.contains("mask"): role = .attentionMask
            case let name where name.contains("type"): role = .typeIDs
            case let name where name.contains("ids") || engine.inputs.count == 1: role = .ids
            default:
                throw ServingError.invalidModel(
                    "The text model's input '\(input.name)' is not one Kaizen can fill; it fills input_ids, "
                        + "attention_mask and token_type_ids")
            }
            guard !feeds.contains(where: { $0.role == role }) else {
                throw ServingError.invalidModel(
                    "The text model has two inputs for \(role) ('\(input.name)' and another); Kaizen cannot tell them apart"
                )
            }
            if let shape, shape.count == 2, let length = shape[1].size { fixedLength = length }
            feeds.append((input.name, role, type))
        }
        guard feeds.contains(where: { $0.role == .ids }) else {
            throw ServingError.invalidModel("The text model has no input_ids input")
        }
        self.feeds = feeds
        self.fixedLength = fixedLength
        self.tokenizer = tokenizer.limited(to: min(settings.maximumLength, fixedLength ?? .max))
        guard let padding = settings.paddingID ?? tokenizer.paddingID else {
            throw ServingError.invalidModel(
                "The tokenizer has no [PAD] or <pad> token and the package sets no padding_id")
        }
        self.paddingID = padding
        guard let first = engine.outputs.first else { throw ServingError.invalidModel("The text model has no output") }
        output = first.name
        if case .classification(let labels, _) = settings.task, case .tensor(_, let shape?) = first.type,
            let width = shape.last?.size, width != labels.count
        {
            throw ServingError.invalidModel(
                "The text model's output '\(first.name)' has \(width) values per text, but the package lists "
                    + "\(labels.count) labels")
        }
        var inputs = [ValueInfo(name: settings.textColumn, type: .tensor(.string, [.unknown]))]
        if let pair = settings.pairColumn { inputs.append(ValueInfo(name: pair, type: .tensor(.string, [.unknown]))) }
        self.inputs = inputs
        switch settings.task {
        case .classification(let labels, _):
            outputs = [
                ValueInfo(name: "label", type: .tensor(.string, [.unknown])),
                ValueInfo(name: "score", type: .tensor(.float, [.unknown])),
                ValueInfo(name: "probabilities", type: .tensor(.float, [.unknown, .known(labels.count)])),
            ]
        case .embedding:
            var width = ValueType.Dimension.unknown
            if case .tensor(_, let shape?) = first.type, let last = shape.last { width = last }
            outputs = [ValueInfo(name: "embedding", type: .tensor(.float, [.unknown, width]))]
        }
        cost = measuredCost(engine)
    }

    /// The encoder's cost, from one-text calls at 8 tokens, the longest a call takes (at most 128: the fit tells
    /// longer ones) and half that, each the fastest of two after a first. Measuring stops after 50 ms (a large model
    /// on a slow machine), with the lengths measured so far; the cost is flat when the model's length is fixed (every
    /// call is padded to it), the texts are short, or a call fails.
    func measuredCost(_ engine: ONNXModel) -> EncoderCost {
        guard fixedLength == nil else { return .flat }
        let words = tokenizer.encode(String(repeating: "a ", count: 200), pair: nil)
        let longest = min(words.count, 128)
        guard longest >= 16 else { return .flat }
        let began = ContinuousClock.now
        var samples: [(length: Int, seconds: Double)] = []
        for length in [8, longest / 2, longest] where ContinuousClock.now - began < .milliseconds(50) {
            let text = Encoding(
                ids: Array(words.ids.prefix(length)), typeIDs: Array(words.typeIDs.prefix(length)),
                attentionMask: Array(words.attentionMask.prefix(length)))
            var fastest = Duration.seconds(Int64.max)
            for attempt in 0..<3 {
                let started = ContinuousClock.now
                guard (try? call(engine, on: [text])) != nil else { return .flat }
                if attempt > 0 { fastest = min(fastest, ContinuousClock.now - started) }
            }
            let (seconds, attoseconds) = fastest.components
            samples.append((length, Double(seconds) + Double(attoseconds) * 1e-18))
        }
        return EncoderCost.fit(samples)
    }

    /// The most texts of one encoder call, so that its activations stay small.
    static let textsPerCall = 32

    /// The texts of `feeds` scored: tokenized, sorted by length and run through `engine` in the calls that cost
    /// least (a call pads its texts to its longest), turned into answers in the request's order.
    func run(_ feeds: [String: Tensor], engine: ONNXModel) throws(ServingError) -> [String: Value] {
        let texts = try column(settings.textColumn, of: feeds)
        let pairs = try settings.pairColumn.map { name throws(ServingError) in try column(name, of: feeds) }
        if let pairs, pairs.count != texts.count {
            throw ServingError.badRequest(
                "Invalid input. '\(settings.textColumn)' has \(texts.count) texts and '\(settings.pairColumn ?? "")' "
                    + "\(pairs.count); a model of text pairs takes as many of each")
        }
        let encodings = texts.indices.map { tokenizer.encode(texts[$0], pair: pairs?[$0]) }
        let order = encodings.indices.sorted { encodings[$0].count < encodings[$1].count }
        var answers = Answers(rows: texts.count, width: answerWidth)
        let calls = cost.calls(
            sortedLengths: order.map { max(fixedLength ?? 0, encodings[$0].count) }, maximumTexts: Self.textsPerCall)
        for range in calls {
            let rows = Array(order[range])
            let output = try call(engine, on: rows.map { encodings[$0] })
            try answers.take(output, rows: rows, settings: settings, masks: rows.map { encodings[$0].attentionMask })
        }
        return try answers.values(settings.task)
    }

    /// The values per text of the answer when the task fixes it (a classifier's label count); an embedding's width is
    /// known from the first call.
    var answerWidth: Int? {
        if case .classification(let labels, _) = settings.task { labels.count } else { nil }
    }

    /// One encoder call on `encodings` padded to their longest (or the model's fixed length): the output tensor.
    func call(_ engine: ONNXModel, on encodings: [Encoding]) throws(ServingError) -> (values: [Float], shape: [Int]) {
        let length = max(fixedLength ?? 0, encodings.map(\.count).max() ?? 0)
        var engineFeeds: [String: Tensor] = [:]
        for feed in self.feeds {
            var values: [Int] = []
            values.reserveCapacity(encodings.count * length)
            for encoding in encodings {
                switch feed.role {
                case .ids: values += encoding.ids
                case .attentionMask: values += encoding.attentionMask
                case .typeIDs: values += encoding.typeIDs
                }
                let padding = feed.role == .ids ? paddingID : 0
                values += repeatElement(padding, count: length - encoding.count)
            }
            let shape = [encodings.count, length]
            do {
                engineFeeds[feed.name] =
                    feed.type == .int32
                    ? try Tensor(shape: shape, int32s: values.map { Int32(truncatingIfNeeded: $0) })
                    : try Tensor(shape: shape, int64s: values.map(Int64.init))
            } catch {
                throw ServingError.evaluation(error.message)
            }
        }
        let results: [String: Value]
        do { results = try engine.run(engineFeeds) } catch { throw ServingError.evaluation(error.message) }
        guard case .tensor(let raw)? = results[output],
            let values = raw.floats ?? raw.doubles.map({ $0.map(Float.init) })
        else {
            throw ServingError.evaluation("The text model's output '\(output)' is not a float tensor")
        }
        guard raw.rank >= 2, raw.shape[0] == encodings.count else {
            throw ServingError.evaluation(
                "The text model's output '\(output)' has shape \(raw.shape); it must have a row per text")
        }
        return (values, raw.shape)
    }

    /// The texts of a feed, each within the size limit.
    func column(_ name: String, of feeds: [String: Tensor]) throws(ServingError) -> [String] {
        guard let tensor = feeds[name], let texts = tensor.strings else {
            throw ServingError.missingInputs([name], of: "the model's inputs")
        }
        guard tensor.rank == 1 || (tensor.rank == 2 && tensor.shape[1] == 1) else {
            throw ServingError.badRequest(
                "Invalid input. '\(name)' must hold one text per row; it has shape \(tensor.shape)")
        }
        if let row = texts.firstIndex(where: { $0.utf8.count > settings.maximumTextBytes }) {
            throw ServingError.badRequest(
                "Invalid input. The text in row \(row) of '\(name)' is \(texts[row].utf8.count) bytes long; this "
                    + "model takes texts of at most \(settings.maximumTextBytes) bytes (and reads their first "
                    + "\(settings.maximumLength) tokens)")
        }
        return texts
    }
}

/// A text model's answers, filled call by call at each text's row.
struct Answers {
    let rows: Int
    /// Values per text; set by the first call when the task does not fix it.
    var width: Int?
    var labels: [String]
    var scores: [Float]
    var vectors: [Float] = []

    init(rows: Int, width: Int?) {
        self.rows = rows
        self.width = width
        labels = Array(repeating: "", count: rows)
        scores = Array(repeating: 0, count: rows)
        if let width { vectors = Array(repeating: 0, count: rows * width) }
    }

    /// Takes one call's `output` for the texts at `rows` (whose attention masks are `masks`).
    mutating func take(
        _ output: (values: [Float], shape: [Int]), rows: [Int], settings: TextSettings, masks: [[Int]]
    ) throws(ServingError) {
        let shape = output.shape
        let outputWidth = shape[shape.count - 1]
        if width == nil {
            width = outputWidth
            vectors = Array(repeating: 0, count: self.rows * outputWidth)
        }
        guard let width, outputWidth == width else {
            throw ServingError.evaluation(
                "The text model's output has \(outputWidth) values per text, not \(width ?? 0)")
        }
        switch settings.task {
        case .classification(let names, let function):
            guard shape.count == 2 else {
                throw ServingError.evaluation(
                    "The text model's output has shape \(shape); a classifier's is [texts, \(names.count)]")
            }
            for (position, row) in rows.enumerated() {
                let logits = output.values[(position * width)..<((position + 1) * width)].map(Double.init)
                let largest = logits.max() ?? 0
                let exponents = logits.map { Foundation.exp($0 - largest) }
                let total = exponents.reduce(0, +)
                var best = 0
                for (index, logit) in logits.enumerated() {
                    let probability: Double =
                        switch function {
                        case .softmax: exponents[index] / total
                        case .sigmoid: 1 / (1 + Foundation.exp(-logit))
                        case .none: logit
                        }
                    vectors[row * width + index] = Float(probability)
                    if probability > Double(vectors[row * width + best]) { best = index }
                }
                labels[row] = names[best]
                scores[row] = vectors[row * width + best]
            }
        case .embedding(let meanPooling, let normalize):
            guard shape.count == 2 || shape.count == 3 else {
                throw ServingError.evaluation(
                    "The text model's output has shape \(shape); an embedding needs [texts, width] or "
                        + "[texts, tokens, width]")
            }
            let tokens = shape.count == 3 ? shape[1] : 1
            for (position, row) in rows.enumerated() {
                var vector = [Double](repeating: 0, count: width)
                let base = position * tokens * width
                var counted = 0
                // A text's mask covers its own tokens; the padding after them (to the call's longest) is left out.
                let mask = masks[position]
                for token in 0..<tokens
                where shape.count == 2 || (meanPooling ? token < mask.count && mask[token] != 0 : token == 0) {
                    counted += 1
                    for index in 0..<width { vector[index] += Double(output.values[base + token * width + index]) }
                }
                if counted > 1 { vector = vector.map { $0 / Double(counted) } }
                if normalize {
                    // As sentence encoders scale: by the vector's length, never by less than 1e-12.
                    let length = max(vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-12)
                    vector = vector.map { $0 / length }
                }
                for index in 0..<width { vectors[row * width + index] = Float(vector[index]) }
            }
        }
    }

    /// The answers as the model's outputs.
    func values(_ task: TextSettings.Task) throws(ServingError) -> [String: Value] {
        let width = width ?? 0
        do {
            switch task {
            case .classification:
                return [
                    "label": .tensor(try Tensor(shape: [rows], strings: labels)),
                    "score": .tensor(try Tensor(shape: [rows], floats: scores)),
                    "probabilities": .tensor(try Tensor(shape: [rows, width], floats: vectors)),
                ]
            case .embedding:
                return ["embedding": .tensor(try Tensor(shape: [rows, width], floats: vectors))]
            }
        } catch {
            throw ServingError.evaluation(error.message)
        }
    }
}
