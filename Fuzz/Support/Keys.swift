import AlibabaRPC

/// The bundled fixtures' access keys (Fixtures/accounts.json): a plain key, an STS key, a disabled key.
public enum FuzzKeys {
    public static let all = [
        AccessKey(id: "testid", secret: "testsecret", accountId: "default"),
        AccessKey(id: "STS.testid", secret: "testsecret", accountId: "default", securityToken: "testtoken"),
        AccessKey(id: "disabledid", secret: "testsecret", accountId: "default", enabled: false),
        AccessKey(id: "otherid", secret: "othersecret", accountId: "other"),
    ]

    public static func secret(of id: String?) -> String {
        all.first { $0.id == id }?.secret ?? "testsecret"
    }

    /// Whether an error is the signature comparison's refusal (not a missing part, the time, the body's hash).
    public static func isSignatureMismatch(_ error: any Error) -> Bool {
        (error as? APIError).map { $0.code == "SignatureDoesNotMatch" && $0.message.contains("server string to sign") }
            ?? false
    }
}
