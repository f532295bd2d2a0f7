import Foundation
import HTTPTypes
import Hummingbird
import KaizenCore

/// One file of the web UI, compiled into the binary: its bytes, its gzip form and an ETag from its content.
struct UIAsset: Sendable {
    let name: String
    let contentType: String
    let bytes: [UInt8]
    let gzipped: [UInt8]
    let tag: String

    init(name: String, contentType: String, bytes: [UInt8]) {
        self.name = name
        self.contentType = contentType
        self.bytes = bytes
        var gzipped: [UInt8] = []
        if let compressor = try? GzipCompressor(level: 9) {
            compressor.compress(bytes, appendingTo: &gzipped)
            compressor.finish(appendingTo: &gzipped)
        }
        self.gzipped = gzipped
        self.tag = SHA256.hash(bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The asset's URL: its content hash is in the name, so it can be cached for good.
    var path: String {
        let dot = name.lastIndex(of: ".") ?? name.endIndex
        return "/static/\(name[..<dot]).\(tag)\(name[dot...])"
    }

    /// The asset for a request: 304 when the client holds this version, gzip when it accepts it.
    func response(to request: Request) -> Response {
        var headers = UIAssets.securityHeaders
        headers[.eTag] = "\"\(tag)\""
        headers[.cacheControl] = "public, max-age=31536000, immutable"
        headers[.vary] = "Accept-Encoding"
        if let held = request.headers[.ifNoneMatch], held.contains(tag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        let acceptsGzip = request.headers[values: .acceptEncoding].contains { $0.lowercased().contains("gzip") }
        if acceptsGzip, !gzipped.isEmpty {
            headers[.contentEncoding] = "gzip"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: gzipped)))
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The web UI's files, and the page that loads them.
enum UIAssets {
    /// What every UI page may load: its own scripts, styles, images and API, and nothing from anywhere else.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
        + "font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    static var securityHeaders: HTTPFields {
        [
            HTTPField.Name("Content-Security-Policy")!: contentSecurityPolicy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            HTTPField.Name("Referrer-Policy")!: "no-referrer",
            HTTPField.Name("X-Frame-Options")!: "DENY",
        ]
    }

    /// The tracking server's UI.
    static let server: [UIAsset] = [
        UIAsset(name: "kaizen.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.kaizen_css),
        UIAsset(name: "dom.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.dom_js),
        UIAsset(name: "chart.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.chart_js),
        UIAsset(name: "app.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.app_js),
    ]

    /// The prediction form of a model server.
    static let serving: [UIAsset] = [
        UIAsset(name: "kaizen.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.kaizen_css),
        UIAsset(name: "predict.css", contentType: "text/css; charset=utf-8", bytes: PackageResources.predict_css),
        UIAsset(name: "dom.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.dom_js),
        UIAsset(name: "predict.js", contentType: "text/javascript; charset=utf-8", bytes: PackageResources.predict_js),
    ]

    /// The HTML page that loads `assets`; `token` is the UI's same-origin token for writes.
    static func page(title: String, assets: [UIAsset], token: String) -> String {
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="kaizen-ui-token" content="\(token)">
            <title>\(title)</title><link rel="icon" href="data:,">

            """
        for asset in assets {
            if asset.name.hasSuffix(".css") {
                html += "<link rel=\"stylesheet\" href=\"\(asset.path)\">\n"
            } else {
                html += "<script src=\"\(asset.path)\" defer></script>\n"
            }
        }
        html += "</head><body><div id=\"app\" aria-live=\"polite\"></div></body></html>\n"
        return html
    }

    /// Registers `/` (the page, never cached: it carries the token) and the assets under `/static/`.
    static func register<Context: RequestContext>(
        on router: Router<Context>, title: String, assets: [UIAsset], token: String
    ) {
        let page = ByteBuffer(string: Self.page(title: title, assets: assets, token: token))
        router.get("/") { _, _ in
            var headers = securityHeaders
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: page))
        }
        let byPath = Dictionary(uniqueKeysWithValues: assets.map { ($0.path, $0) })
        router.get("/static/:file") { request, _ in
            guard let asset = byPath[request.uri.path] else {
                return Response(status: .notFound, headers: [.contentType: "text/plain"])
            }
            return asset.response(to: request)
        }
    }
}
