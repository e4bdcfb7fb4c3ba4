import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built `aliyun-db-emulator` run as a child process, as users run it.
public final class ServerProcess {
    public let process: Process
    public let port: Int
    public let listeningLine: String

    /// The executable next to the test bundle (SwiftPM builds it there because the tests depend on it).
    public static var executableURL: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("aliyun-db-emulator")
    }

    /// Starts the server and waits for its listening line.
    public init(arguments: [String], executable: URL = ServerProcess.executableURL) throws {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        guard let line = Self.readLine(output.fileHandleForReading.fileDescriptor, timeoutMilliseconds: 10_000),
            let portText = line.split(separator: ":").last, let port = Int(portText)
        else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw RawHTTPError(description: "the server printed no listening line")
        }
        self.listeningLine = line
        self.port = port
    }

    /// Runs the executable to completion (for flags that make it exit) and returns status and stderr.
    public static func runToExit(arguments: [String], executable: URL = ServerProcess.executableURL) throws
        -> (status: Int32, standardError: String, standardOutput: String)
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let errors = Pipe()
        let output = Pipe()
        process.standardError = errors
        process.standardOutput = output
        try process.run()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let outputText = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, errorText, outputText)
    }

    /// SIGTERM, then SIGKILL if it has not exited within two seconds.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<200 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    public func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    private static func readLine(_ descriptor: Int32, timeoutMilliseconds: Int32) -> String? {
        var bytes: [UInt8] = []
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while !bytes.contains(10) {
            guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return nil }
            var byte: UInt8 = 0
            guard read(descriptor, &byte, 1) == 1 else { return nil }
            bytes.append(byte)
        }
        return String(decoding: bytes.dropLast(), as: UTF8.self)
    }
}
