import KaizenCore
import Testing

/// Leases over background work, the same on every backend: one holder at a time, renewed by its holder, taken over
/// once it runs out.
struct LeaseStoreConformanceTests {
    @Test(arguments: StoreBackend.all)
    func oneHolderAtATimeUntilTheLeaseRunsOut(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { (stores: StoreFixture) async throws in
            let leases = stores.leases
            #expect(try await leases.acquire("rollouts", holder: "a", now: 1000, duration: 500))
            #expect(try await !leases.acquire("rollouts", holder: "b", now: 1200, duration: 500))
            // Another lease is independent.
            #expect(try await leases.acquire("monitor-alerts", holder: "b", now: 1200, duration: 500))
            // The holder renews; the lease then holds until 1300 + 500.
            #expect(try await leases.acquire("rollouts", holder: "a", now: 1300, duration: 500))
            #expect(try await !leases.acquire("rollouts", holder: "b", now: 1700, duration: 500))
            #expect(try await leases.acquire("rollouts", holder: "b", now: 1801, duration: 500))
            #expect(try await !leases.acquire("rollouts", holder: "a", now: 1900, duration: 500))
        }
    }

    @Test(arguments: StoreBackend.all)
    func replicasAskingAtOnceGetOneLeader(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { (stores: StoreFixture) async throws in
            let leases = stores.leases
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for replica in 0..<8 {
                    group.addTask {
                        try await leases.acquire("rollouts", holder: "r\(replica)", now: 5000, duration: 10_000)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
        }
    }
}
