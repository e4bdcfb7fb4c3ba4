import EmulatorTransport

/// The dashboard: one page and its script and style sheet, built into the binary (`Dashboard/`, embedded by
/// SwiftPM's `embedInCode`), served at `/_emulator/`. They hold no data, so they are served without the control
/// token; the page reads everything through the control API, with the token the user gives it.
enum Dashboard {
    /// The page's own files, by the path they are served at.
    private static let assets: [String: (contentType: String, body: [UInt8])] = [
        ControlAPI.prefix + "/": ("text/html; charset=utf-8", PackageResources.index_html),
        ControlAPI.prefix + "/assets/dashboard.js": ("text/javascript; charset=utf-8", PackageResources.dashboard_js),
        ControlAPI.prefix + "/assets/dashboard.css": ("text/css; charset=utf-8", PackageResources.dashboard_css),
    ]

    /// Nothing from elsewhere: scripts, styles and requests go to the emulator alone; no inline script runs.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// Whether the request is for the page or one of its files (or `/_emulator`, which leads to the page).
    static func serves(_ request: HTTPRequest) -> Bool {
        request.path == ControlAPI.prefix || assets[request.path] != nil
    }

    /// The reply to a request `serves` accepts.
    static func response(to request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            var refusal = ControlAPI.failure(
                status: 405, code: "MethodNotAllowed", message: "\(request.method) is not allowed here; use GET, HEAD")
            refusal.headers.append(("Allow", "GET, HEAD"))
            return refusal
        }
        // Without the slash the page's relative links would resolve outside `/_emulator/`.
        guard let asset = assets[request.path] else {
            return HTTPResponse(status: 308, headers: [("Location", ControlAPI.prefix + "/"), ("Cache-Control", "no-store")])
        }
        return HTTPResponse(
            status: 200,
            headers: [
                ("Content-Type", asset.contentType), ("Cache-Control", "no-store"),
                ("Content-Security-Policy", contentSecurityPolicy), ("X-Content-Type-Options", "nosniff"),
                ("Referrer-Policy", "no-referrer"),
            ],
            body: asset.body)
    }
}
