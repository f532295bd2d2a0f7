public import KaizenCore
public import KaizenONNX
import Synchronization

/// The inference log's hand-off point on the request path: a scored request is offered here and taken, in order, by
/// the shipper that writes and sends segments. Offering never blocks and never allocates beyond the bounded queue:
/// a request outside the sample, over the rate cap, or arriving while the queue is full is counted and let go.
public final class InferenceLog: Sendable {
    public struct Settings: Sendable, Equatable {
        /// Share of requests logged, 0 to 1.
        public var sampleRate: Double
        /// Most requests logged per second; 0 is no cap.
        public var rateCap: Int
        /// Most rows waiting for the shipper (a request's rows are queued whole or not at all); requests beyond are
        /// dropped and counted. This bounds the log's memory: the queue holds the requests' parsed inputs.
        public var capacity: Int

        public init(sampleRate: Double = 1, rateCap: Int = 10_000, capacity: Int = 65_536) {
            self.sampleRate = sampleRate
            self.rateCap = rateCap
            self.capacity = capacity
        }
    }

    /// One logged request: what came in and what went out, or why it was refused; and when.
    public struct Entry: Sendable {
        public enum Outcome: Sendable {
            case scored(ScoringInput, Prediction)
            /// An Open Inference Protocol request: its input tensors, in the model's input order, as decoded.
            case inferred([(String, Tensor)], Prediction)
            /// Refused before it was scored (a malformed body, a column the model lacks, a wrong type), with the
            /// version that refused it.
            case refused(reason: String, version: String?)
        }

        public let requestID: String
        /// Milliseconds since the epoch.
        public let time: Int64
        public let outcome: Outcome

        public init(requestID: String, time: Int64, input: ScoringInput, prediction: Prediction) {
            self.requestID = requestID
            self.time = time
            outcome = .scored(input, prediction)
        }

        public init(requestID: String, time: Int64, feeds: [(String, Tensor)], prediction: Prediction) {
            self.requestID = requestID
            self.time = time
            outcome = .inferred(feeds, prediction)
        }

        public init(requestID: String, time: Int64, refusal reason: String, version: String?) {
            self.requestID = requestID
            self.time = time
            outcome = .refused(reason: reason, version: version)
        }

        /// The lines the entry takes in the log: one per scored row, one for a refusal.
        public var rows: Int {
            switch outcome {
            case .scored(_, let prediction), .inferred(_, let prediction): prediction.rows
            case .refused: 1
            }
        }
    }

    /// The longest refusal reason logged; longer ones are cut.
    public static let maximumReasonBytes = 200

    /// What became of the requests offered since the process started.
    public struct Counts: Sendable, Equatable {
        /// Taken into the queue.
        public var queued: Int64 = 0
        /// Left out by sampling.
        public var sampledOut: Int64 = 0
        /// Left out by the rate cap.
        public var capped: Int64 = 0
        /// Sampled but dropped because the queue was full.
        public var dropped: Int64 = 0
    }

    struct State {
        var entries: [Entry] = []
        /// Rows in `entries`.
        var rows = 0
        var counts = Counts()
        /// Dropped since the last `take`.
        var droppedSinceTake: Int64 = 0
        /// The rate cap's allowance in the current second.
        var second: Int64 = 0
        var loggedThisSecond = 0
        var random: SplitMix64
    }

    public let settings: Settings
    let state: Mutex<State>

    public init(settings: Settings = Settings(), seed: UInt64 = UInt64.random(in: 0...UInt64.max)) {
        self.settings = settings
        state = Mutex(State(random: SplitMix64(seed: seed)))
    }

    /// Offers a scored request; true when it was queued.
    @discardableResult
    public func offer(
        requestID: String, input: ScoringInput, prediction: Prediction, time: Int64 = currentTimeMillis()
    ) -> Bool {
        offer(Entry(requestID: requestID, time: time, input: input, prediction: prediction))
    }

    /// Offers a scored Open Inference Protocol request: its decoded input tensors, which the shipper writes as
    /// columns; true when it was queued.
    @discardableResult
    public func offer(
        requestID: String, feeds: [(String, Tensor)], prediction: Prediction, time: Int64 = currentTimeMillis()
    ) -> Bool {
        offer(Entry(requestID: requestID, time: time, feeds: feeds, prediction: prediction))
    }

    /// Offers a refused request, with the reason it was refused (cut to `maximumReasonBytes`); sampled, capped and
    /// bounded as scored requests are.
    @discardableResult
    public func offerRefusal(
        requestID: String, reason: String, version: String?, time: Int64 = currentTimeMillis()
    ) -> Bool {
        var cut = Substring(reason)
        while cut.utf8.count > Self.maximumReasonBytes { cut = cut.dropLast() }
        return offer(Entry(requestID: requestID, time: time, refusal: String(cut), version: version))
    }

    func offer(_ entry: Entry) -> Bool {
        let time = entry.time
        let settings = settings
        return state.withLock { state in
            if settings.sampleRate < 1 {
                let draw = Double(state.random.next() >> 11) * 0x1p-53
                guard draw < settings.sampleRate else {
                    state.counts.sampledOut += 1
                    return false
                }
            }
            if settings.rateCap > 0 {
                let second = time / 1000
                if second != state.second {
                    state.second = second
                    state.loggedThisSecond = 0
                }
                guard state.loggedThisSecond < settings.rateCap else {
                    state.counts.capped += 1
                    return false
                }
                state.loggedThisSecond += 1
            }
            guard state.rows + entry.rows <= settings.capacity else {
                state.counts.dropped += 1
                state.droppedSinceTake += 1
                return false
            }
            state.entries.append(entry)
            state.rows += entry.rows
            state.counts.queued += 1
            return true
        }
    }

    /// The queued requests, oldest first, and how many were dropped since the last call; the queue starts empty.
    public func take() -> (entries: [Entry], dropped: Int64) {
        state.withLock { state in
            var taken: [Entry] = []
            taken.reserveCapacity(state.entries.count)
            swap(&taken, &state.entries)
            state.rows = 0
            defer { state.droppedSinceTake = 0 }
            return (taken, state.droppedSinceTake)
        }
    }

    /// Requests and rows waiting for the shipper.
    public var waiting: (requests: Int, rows: Int) { state.withLock { ($0.entries.count, $0.rows) } }

    public var counts: Counts { state.withLock { $0.counts } }
}
