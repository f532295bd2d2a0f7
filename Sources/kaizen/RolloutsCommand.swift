import ArgumentParser
import Foundation
import KaizenClient
import KaizenCore
import KaizenDeploy

/// `kaizen rollouts ...`: progressive rollouts of a candidate version on an endpoint (canary, blue-green, shadow),
/// how they are going, and the commands that steer them.
///
/// The server's rollout JSON is read back into `Rollout`, so the CLI shows the very state the control plane runs:
/// steps are numbered from 1 here and from 0 in the API.
struct RolloutsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollouts", abstract: "Roll out a model version on an endpoint step by step, and steer it.",
        subcommands: [
            Start.self, Status.self, List.self, Pause.self, Resume.self, Abort.self, Promote.self,
        ])

    /// The `--strategy` values, spelled as the REST API takes them.
    enum StrategyName: String, CaseIterable, ExpressibleByArgument {
        case canary
        case blueGreen = "blue-green"
        case shadow
    }

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start rolling out a version: contract checks first, then the strategy's steps.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name; all of its traffic must go to one version.")
        var endpoint: String

        @Option(help: ArgumentHelp("The candidate version.", valueName: "version"))
        var to: Int64

        @Option(help: "How traffic moves to the candidate.")
        var strategy: StrategyName

        @Option(
            help: ArgumentHelp(
                "Canary only: the candidate's percentage of traffic at each step (default: 5,25,50,100).",
                valueName: "percentages"),
            transform: RolloutsCommand.steps)
        var steps: [Int]?

        @Option(
            help: ArgumentHelp("The fewest candidate requests a step needs to advance (default: 200).", valueName: "n"))
        var stepRequests: Int64?

        @Option(help: ArgumentHelp("The shortest time a step lasts, in seconds (default: 60).", valueName: "seconds"))
        var stepSeconds: Int64?

        @Option(
            help: ArgumentHelp(
                "Seconds a step may go without a decision before the rollout pauses (default: 600).",
                valueName: "seconds"))
        var stepTimeoutSeconds: Int64?

        @Flag(help: "Shadow only: promote the candidate when the shadow step passes.")
        var promoteAfterShadow = false

        @Option(
            name: .customLong("threshold"),
            help: ArgumentHelp(
                """
                An analysis limit for this rollout, repeatable: alpha, max_error_rate_increase, max_error_rate, \
                max_latency_ratio, latency_floor_ms, divergence_metric (js_distance or psi), max_js_distance, max_psi, \
                min_agreement, contract_latency_budget, contract_latency_floor_ms; and the gates on the endpoint's \
                inference log, off unless set: max_accuracy_drop (labelled accuracy, with min_labels), \
                max_estimated_accuracy_drop (accuracy estimated from served probabilities).
                """,
                valueName: "name=value"),
            transform: RolloutsCommand.threshold)
        var thresholds: [(String, JSONValue)] = []

        func validate() throws {
            guard to > 0 else { throw ValidationError("--to takes a model version number, such as 4") }
            if steps != nil, strategy != .canary { throw ValidationError("--steps applies to --strategy canary only") }
            if promoteAfterShadow, strategy != .shadow {
                throw ValidationError("--promote-after-shadow applies to --strategy shadow only")
            }
            if let stepRequests, stepRequests < 1 { throw ValidationError("--step-requests must be at least 1") }
            if let stepSeconds, stepSeconds < 1 { throw ValidationError("--step-seconds must be at least 1") }
            if let stepTimeoutSeconds, stepTimeoutSeconds < 1 {
                throw ValidationError("--step-timeout-seconds must be at least 1")
            }
            if let stepSeconds, let stepTimeoutSeconds, stepTimeoutSeconds <= stepSeconds {
                throw ValidationError("--step-timeout-seconds must be longer than --step-seconds")
            }
        }

        func run() async throws {
            var body: [(String, JSONValue)] = [
                ("endpoint", .string(endpoint)), ("version", .string(String(to))),
                ("strategy", .string(strategy.rawValue)),
            ]
            if let steps { body.append(("steps", .array(steps.map { .integer(Int64($0)) }))) }
            if let stepRequests { body.append(("step_requests", .integer(stepRequests))) }
            if let stepSeconds { body.append(("step_seconds", .integer(stepSeconds))) }
            if let stepTimeoutSeconds { body.append(("step_timeout_seconds", .integer(stepTimeoutSeconds))) }
            if promoteAfterShadow { body.append(("promote_after_shadow", true)) }
            if !thresholds.isEmpty { body.append(("thresholds", .object(thresholds))) }
            let answer = try await options.client().call("rollouts/start", namespace: "kaizen", post: .object(body))
            print(RolloutsCommand.describe(try RolloutsCommand.rollout(in: answer).rollout))
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the endpoint's newest rollout.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var endpoint: String

        @Flag(
            help: """
                Follow the rollout until it ends; exit 0 when it is promoted or its shadow completed, 1 when it is \
                rolled back or aborted.
                """)
        var watch = false

        @Flag(help: "Print the server's rollout JSON (with --watch, one line per change).")
        var json = false

        @Option(help: ArgumentHelp("Seconds between refreshes with --watch (default: 2).", valueName: "seconds"))
        var interval: Double?

        func validate() throws {
            guard let interval else { return }
            guard watch else { throw ValidationError("--interval applies to --watch only") }
            guard interval.isFinite, interval > 0 else {
                throw ValidationError("--interval must be a positive number of seconds")
            }
        }

        func run() async throws {
            let client = try options.client()
            guard watch else {
                let (document, rollout) = try await RolloutsCommand.rollout(of: endpoint, from: client)
                print(json ? document.jsonText : RolloutsCommand.describe(rollout))
                return
            }
            // A terminal gets the view again at every refresh; a pipe gets each state once, when it changes.
            let redraws = isatty(STDOUT_FILENO) == 1 && !json
            var shown: JSONValue?
            while true {
                let (document, rollout) = try await RolloutsCommand.rollout(of: endpoint, from: client)
                if redraws || document != shown {
                    var text = json ? document.jsonText : RolloutsCommand.describe(rollout)
                    if shown != nil, !json { text = RolloutsCommand.separator(at: currentTimeMillis()) + "\n" + text }
                    FileHandle.standardOutput.write(Data((text + "\n").utf8))
                    shown = document
                }
                switch rollout.phase {
                case .promoted, .shadowCompleted: return
                case .rolledBack, .aborted: throw ExitCode(1)
                case .contractChecks, .step, .paused: try await Task.sleep(for: .seconds(interval ?? 2))
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the endpoint's rollouts, newest first.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var endpoint: String

        func run() async throws {
            let answer = try await options.client().call(
                "rollouts/list", namespace: "kaizen", get: [("endpoint", endpoint)])
            var table = TextTable(headers: ["ID", "CANDIDATE", "STRATEGY", "PHASE", "CREATED (UTC)"])
            for item in answer["rollouts"]?.arrayValue ?? [] {
                let rollout = try Rollout(json: item)
                table.rows.append([
                    rollout.id, "v\(rollout.candidateVersion) (from v\(rollout.stableVersion))",
                    RolloutsCommand.strategyName(rollout.strategy), RolloutsCommand.phase(of: rollout, detailed: false),
                    formatTime(rollout.createdAt),
                ])
            }
            print(table.render())
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause the running step; traffic stays as it is.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var endpoint: String

        func run() async throws {
            print(try await RolloutsCommand.send("pause", to: endpoint, with: options))
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a paused rollout, restarting its step.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var endpoint: String

        func run() async throws {
            print(try await RolloutsCommand.send("resume", to: endpoint, with: options))
        }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Abort the rollout; the stable version gets all traffic back.")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var endpoint: String

        func run() async throws {
            print(try await RolloutsCommand.send("abort", to: endpoint, with: options))
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give the candidate all traffic now, skipping the remaining steps (not the contract checks).")

        @OptionGroup var options: ClientOptions

        @Argument(help: "The endpoint's name.")
        var endpoint: String

        func run() async throws {
            print(try await RolloutsCommand.send("promote", to: endpoint, with: options))
        }
    }
}

// MARK: - Calls

extension RolloutsCommand {
    /// A rollout as the server sent it, for `--json`, and as read from it, for the view.
    typealias Answer = (json: JSONValue, rollout: Rollout)

    /// The endpoint's newest rollout.
    static func rollout(of endpoint: String, from client: TrackingClient) async throws -> Answer {
        try rollout(in: await client.call("rollouts/get", namespace: "kaizen", get: [("endpoint", endpoint)]))
    }

    /// The rollout of an answer `{"rollout": {...}}`.
    static func rollout(in answer: JSONValue) throws -> Answer {
        guard let json = answer["rollout"] else {
            throw KaizenError(.internalError, "The server's answer has no rollout")
        }
        return (json, try Rollout(json: json))
    }

    /// `pause`, `resume`, `abort` or `promote` the endpoint's rollout, and the status view of the result.
    static func send(_ command: String, to endpoint: String, with options: ClientOptions) async throws -> String {
        let answer = try await options.client().call(
            "rollouts/\(command)", namespace: "kaizen", post: .object([("endpoint", .string(endpoint))]))
        return describe(try rollout(in: answer).rollout)
    }
}

// MARK: - Arguments

extension RolloutsCommand {
    /// `5,25,50,100` as canary steps: percentages from 1 to 100, strictly increasing, the last one 100.
    static func steps(_ text: String) throws -> [Int] {
        var steps: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let percent = Int(item.trimmingCharacters(in: .whitespaces)), (1...100).contains(percent) else {
                throw ValidationError(
                    "'\(item)' is not a percentage from 1 to 100; list the steps separated by commas, such as "
                        + "5,25,50,100")
            }
            steps.append(percent)
        }
        guard zip(steps, steps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ValidationError("each step must give the candidate more traffic than the one before")
        }
        guard steps.last == 100 else {
            throw ValidationError("the last step must be 100, the candidate's share once promoted")
        }
        return steps
    }
}

extension RolloutsCommand {
    /// `--threshold max_latency_ratio=2`: a known name and a number (or, for `divergence_metric`, a word).
    static func threshold(_ text: String) throws -> (String, JSONValue) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, AnalysisThresholds.fieldNames.contains(parts[0]) else {
            throw ValidationError(
                "--threshold takes name=value, with name one of \(AnalysisThresholds.fieldNames.joined(separator: ", "))"
            )
        }
        if parts[0] == "divergence_metric" { return (parts[0], .string(parts[1])) }
        if parts[0] == "min_labels" {
            guard let count = Int64(parts[1]), count >= 0 else {
                throw ValidationError("--threshold min_labels takes a whole number, not '\(parts[1])'")
            }
            return (parts[0], .integer(count))
        }
        guard let number = Double(parts[1]), number.isFinite else {
            throw ValidationError("--threshold \(parts[0]) takes a number, not '\(parts[1])'")
        }
        return (parts[0], .double(number))
    }
}

// MARK: - Status view

extension RolloutsCommand {
    /// The status view: a header, the contract checks, the steps' history and the latest evaluation's reasons.
    static func describe(_ rollout: Rollout) -> String {
        let settings = rollout.settings
        var lines = [
            "Rollout      \(rollout.id)",
            "Endpoint     \(rollout.endpoint)",
            "Versions     v\(rollout.stableVersion) (stable) → v\(rollout.candidateVersion) (candidate)",
            "Strategy     \(strategyName(rollout.strategy, detailed: true))",
            "Each step    at least \(settings.stepRequests) candidate requests and \(seconds(settings.stepDuration)); "
                + "pauses after \(seconds(settings.stepTimeout)) without a decision",
            "Thresholds   \(thresholds(settings.thresholds))",
            "Phase        \(phase(of: rollout, detailed: true))",
            "Weights      \(weights(rollout.currentWeights))",
            "Started      \(formatTime(rollout.createdAt)) UTC",
        ]
        if rollout.phase.stepIndex != nil { lines.append("Step started \(formatTime(rollout.stepStartedAt)) UTC") }
        lines.append("Updated      \(formatTime(rollout.updatedAt)) UTC")

        lines.append("")
        if rollout.contractChecks.isEmpty {
            lines.append("Contract checks: " + (rollout.phase == .contractChecks ? "running" : "none ran"))
        } else {
            var table = TextTable(headers: ["CONTRACT CHECK", "RESULT", "DETAIL"])
            for check in rollout.contractChecks {
                table.rows.append([check.name, check.passed ? "PASS" : "FAIL", check.detail])
            }
            lines.append(table.render(maxColumnWidth: 100))
        }
        if let history = history(of: rollout) { lines += ["", history] }
        if let latest = rollout.latestEvaluation ?? rollout.history.last, !latest.verdict.checks.isEmpty {
            lines += [
                "",
                "Latest evaluation: step \(stepNumber(latest.step, of: rollout.strategy)), "
                    + "\(decisionName(latest.decision)), \(formatTime(latest.decidedAt)) UTC",
            ]
            var table = TextTable(headers: ["CHECK", "RESULT", "REASON"])
            for check in latest.verdict.checks {
                table.rows.append([check.name, outcomeName(check.outcome), check.reason])
            }
            lines.append(table.render(maxColumnWidth: 160))
        }
        return lines.joined(separator: "\n")
    }

    /// The decided steps and the running step's latest evaluation, one row each, with a column per check.
    static func history(of rollout: Rollout) -> String? {
        let records = rollout.history + (rollout.latestEvaluation.map { [$0] } ?? [])
        guard !records.isEmpty else { return nil }
        var checks: [String] = []
        for check in records.flatMap(\.verdict.checks) where !checks.contains(check.name) { checks.append(check.name) }
        var table = TextTable(headers: ["STEP", "WEIGHT", "REQUESTS", "DECISION"] + checks.map { $0.uppercased() })
        for record in records {
            let results = checks.map { name in record.verdict.checks.first { $0.name == name }.map(summary) ?? "-" }
            table.rows.append(
                [
                    stepNumber(record.step, of: rollout.strategy), share(record.weights),
                    String(record.candidateRequests), decisionName(record.decision),
                ] + results)
        }
        return table.render()
    }

    /// `canary`, `blue-green` or `shadow`; detailed, with the steps or what follows the shadow.
    static func strategyName(_ strategy: RolloutStrategy, detailed: Bool = false) -> String {
        switch strategy {
        case .canary(let steps):
            detailed ? "canary " + steps.map { "\($0)%" }.joined(separator: " → ") : "canary"
        case .blueGreen:
            detailed ? "blue-green (the candidate takes all traffic at once)" : "blue-green"
        case .shadow(let promote):
            detailed ? "shadow, then " + (promote ? "promote" : "stop (stable keeps all traffic)") : "shadow"
        }
    }

    /// The phase, with the step: `step 2/4 (25%)`, `paused at step 2/4 (25%): step time-out`; detailed, with why a
    /// rollout rolled back.
    static func phase(of rollout: Rollout, detailed: Bool) -> String {
        func step(_ index: Int) -> String {
            "step \(stepNumber(index, of: rollout.strategy)) (\(share(rollout.strategy.weights(atStep: index))))"
        }
        switch rollout.phase {
        case .contractChecks: return "contract checks"
        case .step(let index): return step(index)
        case .paused(let reason, let index):
            return "paused at \(step(index)): " + (reason == .manual ? "by a user" : "step time-out")
        case .promoted: return "promoted"
        case .rolledBack(let reason): return detailed && !reason.isEmpty ? "rolled back: \(reason)" : "rolled back"
        case .aborted: return "aborted"
        case .shadowCompleted: return "shadow completed"
        }
    }

    /// Step `index` (from 0) as `2/4`.
    static func stepNumber(_ index: Int, of strategy: RolloutStrategy) -> String {
        "\(index + 1)/\(strategy.stepCount)"
    }

    /// What a split gives the candidate: `25%`, or `shadow 100%` when it sees mirrored requests.
    static func share(_ weights: RolloutWeights) -> String {
        weights.shadow > 0 ? "shadow \(weights.shadow)%" : "\(weights.candidate)%"
    }

    /// `stable 75%, candidate 25%`, and the mirrored share when there is one.
    static func weights(_ weights: RolloutWeights) -> String {
        "stable \(weights.stable)%, candidate \(weights.candidate)%"
            + (weights.shadow > 0 ? ", \(weights.shadow)% mirrored to the candidate" : "")
    }

    static func decisionName(_ decision: RolloutStepRecord.Decision) -> String {
        decision == .timedOut ? "timed out" : decision.rawValue
    }

    static func outcomeName(_ outcome: VerdictOutcome) -> String {
        switch outcome {
        case .pass: "PASS"
        case .fail: "FAIL"
        case .notYet: "NOT YET"
        }
    }

    /// A check's outcome with its key figure: `PASS 0.40% vs 0.35% p=0.62`, `FAIL 1.84x`, `NOT YET`.
    static func summary(_ check: CheckResult) -> String {
        let figures = check.figures
        let figure: String? =
            switch check.name {
            case "error_rate":
                figures["candidate_rate"].flatMap { candidate in
                    figures["stable_rate"].map { stable in
                        "\(percent(candidate)) vs \(percent(stable))"
                            + (figures["p_value"].map { " p=" + number($0, format: "%.2g") } ?? "")
                    }
                }
            case "latency_p99": figures["ratio"].map { number($0, format: "%.2f") + "x" }
            case "prediction_divergence": figures["js_distance"].map { "js " + number($0, format: "%.3f") }
            case "shadow_agreement": figures["agreement"].map { percent($0, digits: 1) + " agree" }
            default: nil
            }
        return outcomeName(check.outcome) + (figure.map { " " + $0 } ?? "")
    }

    /// A fraction as a percentage: `0.0042` → `0.42%`.
    static func percent(_ fraction: Double, digits: Int = 2) -> String {
        number(fraction * 100, format: "%.\(digits)f") + "%"
    }

    /// A figure in `format`, or `n/a`, `inf`, `-inf` for the non-finite ones a check can report.
    static func number(_ value: Double, format: String) -> String {
        guard value.isFinite else { return value.isNaN ? "n/a" : value > 0 ? "inf" : "-inf" }
        return String(format: format, value)
    }

    /// The limits in force: `errors +1.00 pts (alpha 0.01, ceiling 5.00%), p99 ≤ 1.5x above 5 ms, js ≤ 0.1, …`.
    static func thresholds(_ limits: AnalysisThresholds) -> String {
        let divergence =
            limits.divergenceMetric == .psi
            ? "psi ≤ \(number(limits.maximumPSI, format: "%g"))"
            : "js ≤ \(number(limits.maximumJSDistance, format: "%g"))"
        return "errors +\(number(limits.maximumErrorRateIncrease * 100, format: "%.2f")) pts "
            + "(alpha \(number(limits.alpha, format: "%g")), ceiling \(percent(limits.maximumErrorRate))), "
            + "p99 ≤ \(number(limits.maximumLatencyRatio, format: "%g"))x above "
            + "\(number(limits.latencyFloor * 1000, format: "%g")) ms, \(divergence), "
            + "shadow agreement ≥ \(percent(limits.minimumAgreement, digits: 0)); before traffic, "
            + "\(number(limits.contractLatencyBudget, format: "%g"))x the stable time on examples above "
            + "\(number(limits.contractLatencyFloor * 1000, format: "%g")) ms"
            + performanceGates(limits)
    }

    /// `; accuracy -2.00 pts at most (100 labels), estimated accuracy -3.00 pts at most`, or nothing when off.
    static func performanceGates(_ limits: AnalysisThresholds) -> String {
        var gates: [String] = []
        if let drop = limits.maximumAccuracyDrop {
            gates.append("accuracy -\(number(drop * 100, format: "%.2f")) pts at most (\(limits.minimumLabels) labels)")
        }
        if let drop = limits.maximumEstimatedAccuracyDrop {
            gates.append("estimated accuracy -\(number(drop * 100, format: "%.2f")) pts at most")
        }
        return gates.isEmpty ? "" : "; " + gates.joined(separator: ", ")
    }

    /// Milliseconds as `60 s`, or `1.5 s`.
    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0
            ? "\(milliseconds / 1000) s" : number(Double(milliseconds) / 1000, format: "%.1f") + " s"
    }

    /// The line between two states in `status --watch`.
    static func separator(at millis: Int64) -> String {
        "── \(formatTime(millis)) UTC " + String(repeating: "─", count: 40)
    }
}
