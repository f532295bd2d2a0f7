public import KaizenCore

extension Rollout {
    /// Applies `event` at time `now` (milliseconds) and returns the effects to carry out, in order.
    ///
    /// Never throws and never traps: an event that does not apply in the current phase (a late verdict after a
    /// rollback, a duplicate command, anything once the rollout is over) returns no effects and leaves the
    /// rollout unchanged. Users' commands go through `apply(_:now:)`, which reports those instead.
    public mutating func handle(_ event: RolloutEvent, now: Int64) -> [RolloutEffect] {
        guard rejection(of: event) == nil else { return [] }
        switch event {
        case .contractChecksPassed(let results):
            return finishContractChecks(results, failed: results.contains { !$0.passed }, now: now)
        case .contractChecksFailed(let results):
            return finishContractChecks(results, failed: true, now: now)
        case .stepEvaluated(let verdict, let candidateRequests):
            return evaluate(verdict, candidateRequests: candidateRequests, now: now)
        case .tick:
            guard case .step = phase, elapsed(at: now) >= settings.stepTimeout else { return [] }
            return timeOut(latestEvaluation, now: now)
        case .pause:
            guard let index = phase.stepIndex else { return [] }
            phase = .paused(reason: .manual, resumeTo: index)
            updatedAt = now
            return [.emit(.paused)]
        case .resume:
            guard let index = phase.stepIndex else { return [] }
            return enterStep(index, now: now)
        case .abort:
            return end(in: .aborted, weights: .stableOnly, notice: .rolledBack, now: now)
        case .promote:
            return end(in: .promoted, weights: .candidateOnly, notice: .promoted, now: now)
        }
    }

    /// Applies a user's command, or throws the reason it does not apply (`INVALID_STATE`, HTTP 409): pausing a
    /// promoted rollout, resuming one that is not paused.
    public mutating func apply(_ event: RolloutEvent, now: Int64) throws(KaizenError) -> [RolloutEffect] {
        if let rejection = rejection(of: event) { throw rejection }
        return handle(event, now: now)
    }

    mutating func finishContractChecks(_ results: [ContractCheckResult], failed: Bool, now: Int64) -> [RolloutEffect] {
        contractChecks = results
        guard failed else { return enterStep(0, now: now) }
        let failures = results.filter { !$0.passed }.map { $0.detail.isEmpty ? $0.name : "\($0.name): \($0.detail)" }
        let reason =
            failures.isEmpty ? "Contract checks failed" : "Contract checks failed: " + failures.joined(separator: "; ")
        return end(in: .rolledBack(reason: reason), weights: .stableOnly, notice: .rolledBack, now: now)
    }

    mutating func evaluate(_ verdict: StepVerdict, candidateRequests: UInt64, now: Int64) -> [RolloutEffect] {
        guard case .step(let index) = phase else { return [] }
        var record = RolloutStepRecord(
            step: index, weights: currentWeights, startedAt: stepStartedAt, decidedAt: now,
            candidateRequests: candidateRequests, verdict: verdict, decision: .pending)
        let elapsed = elapsed(at: now)
        switch verdict.outcome {
        case .fail:
            record.decision = .failed
            history.append(record)
            let reasons = verdict.checks.filter { $0.outcome == .fail }.map { "\($0.name): \($0.reason)" }
            let reason = "\(stepDescription(index)) failed: " + reasons.joined(separator: "; ")
            return end(in: .rolledBack(reason: reason), weights: .stableOnly, notice: .rolledBack, now: now)
        case .pass where candidateRequests >= settings.stepRequests && elapsed >= settings.stepDuration:
            record.decision = .advanced
            history.append(record)
            return advance(from: index, now: now)
        case .pass, .notYet:
            guard elapsed < settings.stepTimeout else { return timeOut(record, now: now) }
            latestEvaluation = record
            updatedAt = now
            return []
        }
    }

    /// The step ends without a decision: record the latest verdict (or an empty one) and pause.
    mutating func timeOut(_ latest: RolloutStepRecord?, now: Int64) -> [RolloutEffect] {
        guard case .step(let index) = phase else { return [] }
        var record =
            latest
            ?? RolloutStepRecord(
                step: index, weights: currentWeights, startedAt: stepStartedAt, decidedAt: now, candidateRequests: 0,
                verdict: StepVerdict(checks: []), decision: .pending)
        record.decidedAt = now
        record.decision = .timedOut
        history.append(record)
        latestEvaluation = nil
        phase = .paused(reason: .stepTimeout, resumeTo: index)
        updatedAt = now
        return [.emit(.paused)]
    }

    /// After step `index` passed: the next step, or the end (promotion, or a completed shadow rollout).
    mutating func advance(from index: Int, now: Int64) -> [RolloutEffect] {
        if index + 1 < strategy.stepCount { return enterStep(index + 1, now: now) }
        if strategy == .shadow(promote: false) {
            return end(in: .shadowCompleted, weights: .stableOnly, notice: .step, now: now)
        }
        return end(in: .promoted, weights: .candidateOnly, notice: .promoted, now: now)
    }

    mutating func enterStep(_ index: Int, now: Int64) -> [RolloutEffect] {
        phase = .step(index)
        stepStartedAt = now
        latestEvaluation = nil
        updatedAt = now
        return [.setWeights(currentWeights), .emit(.step)]
    }

    mutating func end(
        in terminal: RolloutPhase, weights: RolloutWeights, notice: RolloutNotice, now: Int64
    ) -> [RolloutEffect] {
        phase = terminal
        latestEvaluation = nil
        updatedAt = now
        return [.setWeights(weights), .emit(notice)]
    }

    /// Time since the step started; saturating, so no pair of times traps.
    func elapsed(at now: Int64) -> Int64 {
        let (elapsed, overflow) = now.subtractingReportingOverflow(stepStartedAt)
        guard overflow else { return elapsed }
        return now < stepStartedAt ? .min : .max
    }

    /// "Step 2 of 4 (25%)" for messages.
    func stepDescription(_ index: Int) -> String {
        let weights = strategy.weights(atStep: index)
        let share = weights.shadow > 0 ? "\(weights.shadow)% shadow" : "\(weights.candidate)%"
        return "Step \(index + 1) of \(strategy.stepCount) (\(share))"
    }
}
