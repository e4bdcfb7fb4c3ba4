extension RPCCall {
    /// The names that say how a request travels, not what it asks: left out of `fingerprint`.
    private static let travelling: Set<String> = [
        "Action", "Version", "Format", "AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion",
        "SignatureNonce", "SignatureType", "Timestamp", "SecurityToken", "ClientToken",
    ]

    /// A valid `ClientToken`: at most 64 printable ASCII characters.
    public static func isClientToken(_ token: String) -> Bool {
        token.utf8.count <= 64 && token.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// What the request asks, canonically: its business parameters sorted by name, so that two requests asking the
    /// same thing (with other nonces, times and signatures) have the same fingerprint. `ClientToken`
    /// idempotency compares these.
    public var fingerprint: String {
        parameters.pairs.filter { !Self.travelling.contains($0.name) && !$0.value.isEmpty }
            .sorted { ($0.name, $0.value) < ($1.name, $1.value) }
            .map { "\($0.name)=\($0.value)" }.joined(separator: "\n")
    }
}
