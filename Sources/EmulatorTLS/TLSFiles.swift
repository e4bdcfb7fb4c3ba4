import FoundationEssentials

/// The certificate chain and private key the HTTPS port serves, as PEM files (the transport loads them).
public struct TLSFiles: Sendable, Equatable {
    /// The server certificate first, then any certificates that chain it to a trusted authority.
    public let certificateChain: String
    public let privateKey: String

    public init(certificateChain: String, privateKey: String) {
        self.certificateChain = certificateChain
        self.privateKey = privateKey
    }
}

/// Why certificates could not be loaded or made; the message names the file and what is wrong with it.
public struct TLSError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Where the local certificate authority lives when `--tls-dir` is not given: beside a state file, else in the
/// user's data folder (`$XDG_DATA_HOME/aliyun-db-emulator/tls`, or `~/.local/share/aliyun-db-emulator/tls`), so
/// that every in-memory emulator of a user shares one authority, trusted once.
public enum TLSDirectory {
    public static func `default`(statePath: String, environment: [String: String]) -> String? {
        if statePath != ":memory:", !statePath.isEmpty {
            let folder = URL(fileURLWithPath: statePath).deletingLastPathComponent().path
            return folder + "/aliyun-db-emulator-tls"
        }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return data + "/aliyun-db-emulator/tls"
        }
        if let home = environment["HOME"], home.hasPrefix("/") {
            return home + "/.local/share/aliyun-db-emulator/tls"
        }
        return nil
    }
}
