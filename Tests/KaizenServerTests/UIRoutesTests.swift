import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KaizenCore
import Testing

@testable import KaizenServer

/// The web UI's page, assets, write token and data endpoints, through the router on a real SQLite file.
struct UIRoutesTests {
    typealias Fixture = TrackingRoutesTests.Fixture

    static func post(_ client: some TestClientProtocol, _ path: String, _ text: String) async throws -> TestResponse {
        try await TrackingRoutesTests.post(client, path, text)
    }

    static func body(_ response: TestResponse) throws -> JSONValue { try TrackingRoutesTests.body(response) }

    @Test func pageCarriesTokenAndPolicy() async throws {
        let fixture = Fixture()
        try await fixture.run { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            let html = String(buffer: page.body)
            #expect(html.contains(#"<meta name="kaizen-ui-token" content="\#(fixture.configuration.uiToken)">"#))
            #expect(page.headers[.cacheControl] == "no-store")
            let policy = try #require(page.headers[HTTPField.Name("Content-Security-Policy")!])
            #expect(policy.contains("default-src 'none'") && policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe") && !policy.contains("http"))
            for asset in UIAssets.server {
                #expect(html.contains(asset.path))
                let plain = try await client.execute(uri: asset.path, method: .get)
                #expect(plain.status == .ok)
                #expect(Array(plain.body.readableBytesView) == asset.bytes)
                #expect(plain.headers[.cacheControl] == "public, max-age=31536000, immutable")
                let tag = try #require(plain.headers[.eTag])
                let again = try await client.execute(uri: asset.path, method: .get, headers: [.ifNoneMatch: tag])
                #expect(again.status == .notModified)
                #expect(again.body.readableBytes == 0)
                let gzipped = try await client.execute(
                    uri: asset.path, method: .get, headers: [.acceptEncoding: "gzip, deflate"])
                #expect(gzipped.headers[.contentEncoding] == "gzip")
                #expect(Array(gzipped.body.readableBytesView) == asset.gzipped)
                #expect(asset.gzipped.count < asset.bytes.count)
            }
            let stale = try await client.execute(uri: "/static/app.0000000000000000.js", method: .get)
            #expect(stale.status == .notFound)
            let traversal = try await client.execute(uri: "/static/..%2F..%2Fetc%2Fpasswd", method: .get)
            #expect(traversal.status == .notFound)
        }
    }

    /// The UI's script and styles stay small: at most 150 KB gzipped together.
    @Test func assetsStayLight() {
        let total = UIAssets.server.reduce(0) { $0 + $1.gzipped.count }
        #expect(total > 0 && total <= 150 * 1024, "\(total) bytes gzipped")
    }

    @Test func browserWritesNeedTheToken() async throws {
        let fixture = Fixture()
        let token = fixture.configuration.uiToken
        try await fixture.run { client in
            let path = "/ajax-api/2.0/mlflow/experiments/create"
            func create(_ name: String, _ headers: HTTPFields) async throws -> TestResponse {
                var all = headers
                all[.contentType] = "application/json"
                return try await client.execute(
                    uri: path, method: .post, headers: all, body: ByteBuffer(string: #"{"name":"\#(name)"}"#))
            }
            // Programs (the mlflow client, curl) send no Origin and no Sec-Fetch-Site.
            #expect(try await create("program", [:]).status == .ok)
            let origin = HTTPField.Name("Origin")!
            let site = HTTPField.Name("Sec-Fetch-Site")!
            let header = HTTPField.Name("X-Kaizen-UI-Token")!
            let refused: [(String, HTTPFields)] = [
                ("no token", [origin: "http://localhost", site: "same-origin"]),
                ("wrong token", [origin: "http://localhost", site: "same-origin", header: "nope"]),
                ("other site", [origin: "http://evil.example", site: "cross-site", header: token]),
                ("other origin", [origin: "http://evil.example", header: token]),
                ("form post", [origin: "null"]),
            ]
            for (name, headers) in refused {
                let response = try await create(name.replacingOccurrences(of: " ", with: "-"), headers)
                #expect(response.status == .forbidden, "\(name)")
                #expect(try Self.body(response)["error_code"] == "PERMISSION_DENIED")
            }
            let allowed = try await create("ui", [origin: "http://localhost", site: "same-origin", header: token])
            #expect(allowed.status == .ok)
            // Reads need no token.
            let read = try await client.execute(
                uri: "/ajax-api/2.0/mlflow/experiments/search?max_results=10", method: .get,
                headers: [origin: "http://localhost", site: "same-origin"])
            #expect(read.status == .ok)
            let search = try Self.body(read)["experiments"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(Set(search) == ["Default", "program", "ui"])
        }
    }

    @Test func runsTablePagesSortsBySummaryAndCounts() async throws {
        try await Fixture().run { client in
            var ids: [String] = []
            for index in 0..<5 {
                let created = try await Self.post(
                    client, "/api/2.0/mlflow/runs/create",
                    #"{"experiment_id":"0","run_name":"r\#(index)","start_time":\#(index)}"#)
                let id = try #require(try Self.body(created)["run"]?["info"]?["run_id"]?.stringValue)
                ids.append(id)
                // Run i logs loss 10 i, then i, then 100 - i (the last, by step).
                var metrics: [String] = []
                metrics.append(#"{"key":"loss","value":\#(10 * index),"timestamp":1,"step":0}"#)
                metrics.append(#"{"key":"loss","value":\#(index),"timestamp":2,"step":1}"#)
                metrics.append(#"{"key":"loss","value":\#(100 - index),"timestamp":3,"step":2}"#)
                let batch =
                    #"{"run_id":"\#(id)","metrics":[\#(metrics.joined(separator: ","))]"#
                    + #","params":[{"key":"p","value":"\#(index % 2)"}]}"#
                #expect(try await Self.post(client, "/api/2.0/mlflow/runs/log-batch", batch).status == .ok)
            }
            func table(_ body: String) async throws -> JSONValue {
                let response = try await Self.post(client, "/ajax-api/2.0/kaizen/runs/table", body)
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                return try Self.body(response)
            }
            func names(_ value: JSONValue) -> [String] {
                value["runs"]?.arrayValue?.compactMap { $0["info"]?["run_name"]?.stringValue } ?? []
            }
            let byMin = try await table(
                #"{"experiment_ids":["0"],"order_by":["metrics.loss DESC"],"order_summaries":["min"],"max_results":2}"#)
            #expect(byMin["total"] == 5)
            #expect(names(byMin) == ["r4", "r3"])
            let last = try await table(
                #"{"experiment_ids":["0"],"order_by":["metrics.loss DESC"],"max_results":2,"offset":3}"#)
            #expect(names(last) == ["r3", "r4"])
            #expect(last["offset"] == 3)
            let loss = try #require(last["runs"]?.arrayValue?.first?["metrics"]?.arrayValue?.first)
            #expect(loss["key"] == "loss")
            #expect(loss["last"] == 97.0)
            #expect(loss["min"] == 3.0)
            #expect(loss["max"] == 97.0)
            #expect(loss["mean"] == .double(130.0 / 3))
            #expect(loss["count"] == 3)
            let atStep = try await table(
                #"{"experiment_ids":["0"],"order_by":["metrics.loss ASC"],"order_summaries":["step:0"],"#
                    + #""step_columns":[{"key":"loss","step":0}],"filter":"params.p = '1'"}"#)
            #expect(names(atStep) == ["r1", "r3"])
            #expect(atStep["total"] == 2)
            #expect(atStep["runs"]?.arrayValue?.last?["step_values"]?["loss@0"] == 30.0)
            for (body, message) in [
                (#"{"experiment_ids":["0"],"order_by":["metrics.loss"],"order_summaries":["median"]}"#, "median"),
                (#"{"experiment_ids":["0"],"order_by":["params.p"],"order_summaries":["min"]}"#, "Only metrics"),
                (#"{"experiment_ids":["0"],"order_summaries":["min"]}"#, "order_summaries"),
                (#"{"experiment_ids":["0"],"max_results":5000}"#, "at most 1000"),
                (#"{"experiment_ids":["0"],"offset":-1}"#, "offset"),
                (#"{"experiment_ids":["0"],"filter":"metrics.loss >"}"#, "filter"),
            ] {
                let response = try await Self.post(client, "/ajax-api/2.0/kaizen/runs/table", body)
                #expect(response.status == .badRequest, "\(body)")
                let text = try Self.body(response)["message"]?.stringValue ?? ""
                #expect(text.contains(message), "\(text)")
            }
        }
    }

    @Test func metricSeriesIsRawOrBucketedAndKeepsSpikes() async throws {
        try await Fixture().run { client in
            let created = try await Self.post(client, "/api/2.0/mlflow/runs/create", #"{"experiment_id":"0"}"#)
            let id = try #require(try Self.body(created)["run"]?["info"]?["run_id"]?.stringValue)
            for first in stride(from: 0, to: 5000, by: 1000) {
                let metrics = (first..<first + 1000).map { step in
                    #"{"key":"loss","value":\#(step == 4321 ? 1000 : 1),"timestamp":\#(step),"step":\#(step)}"#
                }
                let body = #"{"run_id":"\#(id)","metrics":[\#(metrics.joined(separator: ","))]}"#
                #expect(try await Self.post(client, "/api/2.0/mlflow/runs/log-batch", body).status == .ok)
            }
            let path = "/ajax-api/2.0/kaizen/metrics/series?run_id=\(id)&metric_key=loss"
            let whole = try Self.body(try await client.execute(uri: path + "&buckets=100", method: .get))
            #expect(whole["total"] == 5000)
            #expect(whole["min"] == 0 && whole["max"] == 4999)
            #expect(whole["points"] == .array([]))
            let buckets = try #require(whole["buckets"]?.arrayValue)
            #expect(buckets.count == 100)
            #expect(buckets.contains { $0.arrayValue?[3] == 1000.0 })
            #expect(buckets.map { $0.arrayValue?[5].doubleValue ?? 0 }.reduce(0, +) == 5000)
            let zoom = try Self.body(try await client.execute(uri: path + "&min=4300&max=4399", method: .get))
            #expect(zoom["total"] == 100)
            let points = try #require(zoom["points"]?.arrayValue)
            #expect(points.count == 100)
            #expect(points.first?.arrayValue?[0] == 4300)
            #expect(points.contains { $0.arrayValue?[2] == 1000.0 })
            let time = try Self.body(
                try await client.execute(uri: path + "&axis=time&min=10&max=19", method: .get))
            #expect(time["total"] == 10)
            for (query, status) in [
                ("&buckets=0", HTTPResponse.Status.badRequest), ("&min=5&max=1", .badRequest),
                ("&axis=wall", .badRequest),
                ("&buckets=x", .badRequest), ("&raw_limit=99999999", .badRequest),
            ] {
                let response = try await client.execute(uri: path + query, method: .get)
                #expect(response.status == status, "\(query)")
            }
            let unknown = try await client.execute(
                uri: "/ajax-api/2.0/kaizen/metrics/series?run_id=\(String(repeating: "a", count: 32))&metric_key=loss",
                method: .get)
            #expect(unknown.status == .notFound)
            let never = try Self.body(
                try await client.execute(
                    uri: "/ajax-api/2.0/kaizen/metrics/series?run_id=\(id)&metric_key=nothing", method: .get))
            #expect(never["total"] == 0)
        }
    }

    @Test func artifactDownloadsServeOneByteRange() async throws {
        try await Fixture().run { client in
            let path = "/api/2.0/mlflow-artifacts/artifacts/0/run/artifacts/data.csv"
            let text = (0..<1000).map { "row\($0)" }.joined(separator: "\n")
            #expect(try await client.execute(uri: path, method: .put, body: ByteBuffer(string: text)).status == .ok)
            let head = try await client.execute(uri: path, method: .get, headers: [.range: "bytes=0-99"])
            #expect(head.status == .partialContent)
            #expect(String(buffer: head.body) == String(text.prefix(100)))
            #expect(head.headers[.contentRange] == "bytes 0-99/\(text.utf8.count)")
            let tail = try await client.execute(uri: path, method: .get, headers: [.range: "bytes=-5"])
            #expect(String(buffer: tail.body) == String(text.suffix(5)))
            let middle = try await client.execute(uri: path, method: .get, headers: [.range: "bytes=10-"])
            #expect(String(buffer: middle.body) == String(text.dropFirst(10)))
            for bad in ["bytes=99999-", "bytes=5-1", "items=0-1", "bytes=0-1,5-6"] {
                let response = try await client.execute(uri: path, method: .get, headers: [.range: bad])
                #expect(response.status == .rangeNotSatisfiable, "\(bad)")
                #expect(response.headers[.contentRange] == "bytes */\(text.utf8.count)")
            }
            let whole = try await client.execute(uri: path, method: .get)
            #expect(whole.status == .ok && String(buffer: whole.body) == text)
            #expect(whole.headers[.acceptRanges] == "bytes")
        }
    }

    @Test func runListingReadsProxiedArtifactURIs() {
        #expect(ArtifactRoutes.proxiedPath("mlflow-artifacts:/1/abc/artifacts") == "1/abc/artifacts")
        #expect(ArtifactRoutes.proxiedPath("mlflow-artifacts://host:5000/1/abc/artifacts") == "1/abc/artifacts")
        #expect(ArtifactRoutes.proxiedPath("mlflow-artifacts:") == "")
        #expect(ArtifactRoutes.proxiedPath("s3://bucket/x") == nil)
    }
}
