import AlibabaRPC
import Emulator
import EmulatorTLS
import RDSService

/// A bad setting, named by where it came from (`--port` or `ALIYUN_EMULATOR_PORT`).
struct SettingError: Error, CustomStringConvertible {
    let description: String
}

/// Every option, resolved once: the command line wins, then its environment twin
/// (`ALIYUN_EMULATOR_<OPTION>`; an empty variable counts as unset), then the default. Values from
/// both sources are checked by the same rules, so an error always names its source.
struct Settings {
    let given: [String: String?]
    let environment: [String: String]

    static func variable(_ option: String) -> String {
        "ALIYUN_EMULATOR_" + option.uppercased().replacing("-", with: "_")
    }

    private func raw(_ option: String) -> (text: String, source: String)? {
        if let text = given[option] ?? nil { return (text, "--\(option)") }
        let name = Self.variable(option)
        if let text = environment[name], !text.isEmpty { return (text, name) }
        return nil
    }

    private func value<T>(_ option: String, expected: String, _ parse: (String) -> T?) throws -> T? {
        guard let (text, source) = raw(option) else { return nil }
        guard let value = parse(text) else { throw SettingError(description: "\(source): \"\(text)\" is not \(expected)") }
        return value
    }

    private func choice<T: RawRepresentable>(_ option: String) throws -> T? where T.RawValue == String, T: CaseIterable {
        let names = T.allCases.map(\.rawValue)
        return try value(option, expected: "one of \(names.joined(separator: ", "))") { T(rawValue: $0) }
    }

    func configuration() throws -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        if let host = try value("host", expected: "a host name or address", { $0.isEmpty ? nil : $0 }) {
            configuration.host = host
        }
        if let port = try value("port", expected: "a port from 0 to 65535", { Int($0).flatMap { (0...65535).contains($0) ? $0 : nil } }) {
            configuration.port = port
        }
        if let workers = try value("workers", expected: "a number of threads from 1 to 64", { Int($0).flatMap { (1...64).contains($0) ? $0 : nil } }) {
            configuration.workers = workers
        }
        let ceiling = EmulatorConfiguration.connectionCeiling
        if let connections = try value(
            "max-connections",
            expected: "a number of connections from 1 to \(ceiling) (the descriptor limit less \(EmulatorConfiguration.reservedDescriptors) kept free)",
            { Int($0).flatMap { (1...ceiling).contains($0) ? $0 : nil } })
        {
            configuration.maxConnections = connections
        }
        if let state = try value("state", expected: "':memory:' or a file path", { $0 }) { configuration.statePath = state }
        configuration.fixturesDirectory = try value("fixtures", expected: "a folder", { $0 })
        if let mode: SignatureMode = try choice("signature") { configuration.signatureMode = mode }
        if let profile: RDSProfile = try choice("rds-profile") { configuration.rdsProfile = profile }
        let seconds: (String) -> Double? = { DurationText.seconds($0, limit: 31_536_000) }
        let expectedSeconds = "a number of seconds from 0 to 31536000"
        if let duration = try value("backup-duration", expected: expectedSeconds, seconds) {
            configuration.backupDuration = duration
        }
        if let duration = try value("instance-create-duration", expected: expectedSeconds, seconds) {
            configuration.instanceDurations.create = duration
        }
        if let duration = try value("instance-restart-duration", expected: expectedSeconds, seconds) {
            configuration.instanceDurations.restart = duration
        }
        if let duration = try value("instance-delete-duration", expected: expectedSeconds, seconds) {
            configuration.instanceDurations.delete = duration
        }
        let quota: (String) -> Int? = { Int($0).flatMap { $0 >= 0 ? $0 : nil } }
        configuration.rdsDailyQuota = try value("rds-daily-quota", expected: "a whole number, 0 or more", quota)
        configuration.mongodbDailyQuota = try value("mongodb-daily-quota", expected: "a whole number, 0 or more", quota)
        if let capacity = try value(
            "nonce-capacity", expected: "a number of nonces from 1 to 1000000000",
            { Int($0).flatMap { (1...1_000_000_000).contains($0) ? $0 : nil } })
        {
            configuration.nonceCapacity = capacity
        }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        if let level = try value("log-level", expected: "one of \(levels.joined(separator: ", "))", { levels.contains($0) ? $0 : nil }) {
            configuration.logLevel = level
        }
        if let format: LogFormat = try choice("log-format") { configuration.logFormat = format }
        configuration.controlToken = try value("control-token", expected: "a token", { $0.isEmpty ? nil : $0 })
        let journalLimit = EmulatorConfiguration.largestJournal
        if let size = try value(
            "journal-size", expected: "a number of requests from 0 to \(journalLimit)",
            { Int($0).flatMap { (0...journalLimit).contains($0) ? $0 : nil } })
        {
            configuration.journalSize = size
        }
        configuration.httpsPort = try value(
            "https-port", expected: "a port from 0 to 65535", { Int($0).flatMap { (0...65535).contains($0) ? $0 : nil } })
        configuration.tlsCertificateFile = try value("tls-cert", expected: "a PEM file", { $0 })
        configuration.tlsKeyFile = try value("tls-key", expected: "a PEM file", { $0 })
        if (configuration.tlsCertificateFile == nil) != (configuration.tlsKeyFile == nil) {
            let given = configuration.tlsCertificateFile == nil ? "tls-key" : "tls-cert"
            let missing = given == "tls-cert" ? "tls-key" : "tls-cert"
            throw SettingError(
                description: "\(raw(given)?.source ?? "--" + given) needs --\(missing) (\(Self.variable(missing))) too")
        }
        configuration.tlsDirectory = try tlsDirectory(statePath: configuration.statePath)
        return configuration
    }

    /// `--tls-dir`, else the default beside the state file or in the user's data folder.
    func tlsDirectory(statePath: String) throws -> String? {
        try value("tls-dir", expected: "a folder", { $0 })
            ?? TLSDirectory.default(statePath: statePath, environment: environment)
    }
}
