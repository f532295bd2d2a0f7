import Dispatch
import Foundation
import Synchronization
import Testing

@testable import KaizenONNX

/// The splits of one call's products: every task is run exactly once, whether the spinning workers take the parts
/// or, while another caller holds them, Dispatch does.
@Suite(.serialized)
struct IntraOpThreadsTests {
    @Test func everyTaskRunsOnceAcrossManySplitsFromSeveralCallers() {
        IntraOpThreads.set(3)
        defer { IntraOpThreads.set(1) }
        let callers = 4
        let splitsEach = 2_000
        let wrong = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: callers) { caller in
            for split in 0..<splitsEach {
                let tasks = 1 + (caller * 7 + split) % 40
                // Each task's slot is written only by the part that owns the task.
                var counts = [Int](repeating: 0, count: tasks)
                counts.withUnsafeMutableBufferPointer { counts in
                    let shared = UncheckedSendable(counts)
                    IntraOpThreads.split(tasks, work: IntraOpThreads.leastWork) { range in
                        for task in range { shared.value[task] += 1 }
                    }
                }
                // After the split returns, each task has run once.
                if counts.contains(where: { $0 != 1 }) { wrong.add(1, ordering: .relaxed) }
            }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
    }

    /// Splits far apart in time: the workers go to sleep between them and are woken for each.
    @Test func workersThatHaveGoneToSleepAreWoken() {
        IntraOpThreads.set(2)
        defer { IntraOpThreads.set(1) }
        for _ in 0..<5 {
            usleep(UInt32(SpinningWorkers.spinTime / 1_000) * 3)
            let seen = Mutex<Set<Int>>([])
            IntraOpThreads.split(2, work: IntraOpThreads.leastWork) { range in
                seen.withLock { $0.formUnion(range) }
            }
            #expect(seen.withLock { $0 } == [0, 1])
        }
    }

    /// While another model call runs, a call keeps its work on its own thread: the whole range in one piece.
    @Test func aCallBesideAnotherDoesNotSplit() {
        IntraOpThreads.set(2)
        IntraOpThreads.callsInFlight.add(2, ordering: .relaxed)
        defer {
            IntraOpThreads.callsInFlight.subtract(2, ordering: .relaxed)
            IntraOpThreads.set(1)
        }
        let pieces = Mutex<[Range<Int>]>([])
        IntraOpThreads.split(16, work: IntraOpThreads.leastWork) { range in pieces.withLock { $0.append(range) } }
        #expect(pieces.withLock { $0 } == [0..<16])
    }

    /// Layer normalization and elementwise arithmetic split their rows across threads on large tensors (a batch of
    /// sequences) and give the one-thread answer, bit for bit.
    @Test func rowWiseKernelsGiveTheOneThreadAnswer() throws {
        let (rows, width) = (700, 384)
        let values = (0..<(rows * width)).map { Float(($0 * 37) % 101) * 0.03 - 1.5 }
        let x = try Tensor(shape: [rows, width], floats: values)
        let row = try Tensor(shape: [width], floats: (0..<width).map { Float($0 % 13) * 0.1 })
        let scalar = try Tensor(shape: [], floats: [0.5])
        let runs: [() throws -> [Value]] = [
            { try LayerNormalizationKernel(axis: -1, epsilon: 1e-12).run([.tensor(x), .tensor(row), .tensor(row)]) },
            { try BinaryKernel(operation: .add).run([.tensor(x), .tensor(x)]) },
            { try BinaryKernel(operation: .mul).run([.tensor(x), .tensor(row)]) },
            { try BinaryKernel(operation: .div).run([.tensor(x), .tensor(scalar)]) },
        ]
        for (index, run) in runs.enumerated() {
            IntraOpThreads.set(1)
            let alone = try run().map(\.tensor)
            IntraOpThreads.set(3)
            let split = try run().map(\.tensor)
            IntraOpThreads.set(1)
            #expect(alone == split, "kernel \(index)")
        }
    }
}
