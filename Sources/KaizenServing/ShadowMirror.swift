public import ServiceLifecycle

/// Scores copies of requests on shadow versions, off the request path: the caller's answer is sent before its copy
/// is scored, and a full queue drops the oldest copies rather than slowing anyone down. Each copy's answer is
/// compared with the answer the caller got.
public final class ShadowMirror: Service, Sendable {
    /// What a scored copy reports: the shadow, rows compared and agreed (or its error), and how long it took.
    public typealias Record =
        @Sendable (
            _ shadow: ScoringModel, _ result: Result<(compared: Int, agreed: Int), ServingError>, _ duration: Duration
        ) -> Void

    struct Job: Sendable {
        var input: ScoringInput
        var shadow: ScoringModel
        var answer: Prediction
    }

    let jobs: AsyncStream<Job>
    let continuation: AsyncStream<Job>.Continuation
    let record: Record

    /// - Parameters:
    ///   - capacity: copies waiting at most; more drop the oldest.
    ///   - record: told of each copy scored.
    public init(capacity: Int = 1024, record: @escaping Record) {
        (jobs, continuation) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingNewest(capacity))
        self.record = record
    }

    /// Queues a copy of a request that `answer` answered; never waits.
    func submit(_ input: ScoringInput, to shadow: ScoringModel, answer: Prediction) {
        continuation.yield(Job(input: input, shadow: shadow, answer: answer))
    }

    public func run() async {
        await cancelWhenGracefulShutdown {
            for await job in self.jobs {
                let started = ContinuousClock.now
                do throws(ServingError) {
                    let prepared = try job.shadow.prepare(job.input)
                    let outputs = try job.shadow.run(prepared.feeds)
                    let prediction = Prediction(
                        model: job.shadow, rows: prepared.rows, style: prepared.style, outputs: outputs)
                    self.record(
                        job.shadow, .success(job.answer.agreement(with: prediction)), ContinuousClock.now - started)
                } catch {
                    self.record(job.shadow, .failure(error), ContinuousClock.now - started)
                }
            }
        }
        continuation.finish()
    }
}
