import Foundation
import KaizenCore
import KaizenRegistry
import Testing

/// The webhook store's behaviour, the same on every backend: subscriptions, the delivery log, and claims on
/// unfinished deliveries that hand each to one replica.
struct WebhookStoreConformanceTests {
    func webhook(
        _ id: String, events: [WebhookEventType] = [.modelVersionCreated], status: WebhookStatus = .active,
        created: Int64
    ) -> Webhook {
        Webhook(
            id: id, name: "hook \(id)", description: "d", url: "https://example.com/\(id)", events: events,
            secret: "s3cret", status: status, creationTimestamp: created, lastUpdatedTimestamp: created)
    }

    func delivery(
        _ id: String, webhook: String = "w1", status: WebhookDelivery.Status = .pending, created: Int64
    ) -> WebhookDelivery {
        WebhookDelivery(
            id: id, webhookID: webhook, event: "model_version.created", body: #"{"id":"\#(id)"}"#,
            timestamp: created / 1000, status: status, createdAt: created, updatedAt: created)
    }

    @Test(arguments: StoreBackend.all)
    func webhooksAreCreatedListedUpdatedAndDeleted(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.webhooks
            let first = webhook("w1", events: [.modelVersionCreated, .aliasCreated], created: 10)
            try await store.createWebhook(first)
            try await store.createWebhook(webhook("w2", events: [.aliasCreated], created: 20))
            try await store.createWebhook(webhook("w3", status: .disabled, created: 30))
            #expect(try await store.webhook(id: "w1") == first)
            #expect(try await store.webhook(id: "nope") == nil)
            #expect(try await store.listWebhooks(offset: 0, limit: 10).map(\.id) == ["w3", "w2", "w1"])
            #expect(try await store.listWebhooks(offset: 1, limit: 1).map(\.id) == ["w2"])
            #expect(try await store.subscribers(of: .aliasCreated).map(\.id).sorted() == ["w1", "w2"])
            #expect(try await store.subscribers(of: .modelVersionCreated).map(\.id) == ["w1"])
            #expect(try await store.subscribers(of: .aliasDeleted).isEmpty)

            var changed = first
            changed.url = "https://example.org/hook"
            changed.events = [.aliasDeleted]
            changed.status = .disabled
            changed.lastUpdatedTimestamp = 40
            try await store.updateWebhook(changed)
            #expect(try await store.webhook(id: "w1") == changed)
            #expect(try await store.subscribers(of: .aliasCreated).map(\.id) == ["w2"])

            try await store.deleteWebhook(id: "w2", now: 50)
            #expect(try await store.webhook(id: "w2") == nil)
            #expect(try await store.listWebhooks(offset: 0, limit: 10).map(\.id) == ["w3", "w1"])
            #expect(try await store.subscribers(of: .aliasCreated).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.all)
    func deliveriesAreLoggedAndUpdatedInPlace(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.webhooks
            try await store.createWebhook(webhook("w1", created: 1))
            try await store.recordDelivery(delivery("d1", created: 100))
            try await store.recordDelivery(delivery("d2", created: 200))
            try await store.recordDelivery(delivery("d3", webhook: "w2", created: 300))
            #expect(try await store.deliveries(webhookID: "w1", limit: 10).map(\.id) == ["d2", "d1"])
            #expect(try await store.deliveries(webhookID: "w1", limit: 1).map(\.id) == ["d2"])
            #expect(try await store.pendingDeliveries().map(\.id) == ["d1", "d2", "d3"])

            var done = delivery("d1", created: 100)
            done.status = .failed
            done.attempts = 4
            done.responseStatus = 503
            done.error = "Service Unavailable"
            done.updatedAt = 500
            try await store.recordDelivery(done)
            let log = try await store.deliveries(webhookID: "w1", limit: 10)
            #expect(log.count == 2)
            #expect(log.first { $0.id == "d1" } == done)
            #expect(try await store.pendingDeliveries().map(\.id) == ["d2", "d3"])
            #expect(try await store.deliveries(webhookID: "none", limit: 10).isEmpty)
        }
    }

    @Test(arguments: StoreBackend.all)
    func aPendingDeliveryIsClaimedByOneReplicaUntilItsLeaseRunsOut(backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let store = stores.webhooks
            // A new delivery is its creator's (which is sending it) for `creatorLease`; only then can others claim it.
            let held = WebhookDelivery.creatorLease
            try await store.recordDelivery(delivery("d1", created: 100))
            try await store.recordDelivery(delivery("d2", created: 200))
            try await store.recordDelivery(delivery("done", status: .succeeded, created: 300))
            #expect(
                try await store.claimPendingDeliveries(owner: "early", now: held + 150, lease: 500).map(\.id) == ["d1"])

            let claims = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
                for owner in ["a", "b"] {
                    group.addTask {
                        (
                            owner,
                            try await store.claimPendingDeliveries(owner: owner, now: held + 1000, lease: 500).map(\.id)
                        )
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            // Every pending delivery went to exactly one claimer; finished ones to none.
            #expect((claims["a", default: []] + claims["b", default: []]).sorted() == ["d1", "d2"])
            #expect(Set(claims["a", default: []]).isDisjoint(with: claims["b", default: []]))

            // Held until the lease runs out, also across saves of the delivery's progress.
            var progress = delivery("d1", created: 100)
            progress.attempts = 1
            progress.updatedAt = held + 1100
            try await store.recordDelivery(progress)
            #expect(try await store.claimPendingDeliveries(owner: "c", now: held + 1400, lease: 500).isEmpty)
            #expect(try await store.pendingDeliveries().map(\.id) == ["d1", "d2"])
            let reclaimed = try await store.claimPendingDeliveries(owner: "c", now: held + 1501, lease: 500)
            #expect(reclaimed.map(\.id) == ["d1", "d2"])
            #expect(reclaimed.first?.attempts == 1)

            // A finished delivery is never claimed again; a new one only once its creator's hold runs out.
            progress.status = .succeeded
            try await store.recordDelivery(progress)
            try await store.recordDelivery(delivery("d4", created: held + 1600))
            #expect(try await store.claimPendingDeliveries(owner: "d", now: held + 1700, lease: 500).isEmpty)
            #expect(
                try await store.claimPendingDeliveries(owner: "d", now: 2 * held + 1601, lease: 500).map(\.id) == [
                    "d2", "d4",
                ])
        }
    }
}
