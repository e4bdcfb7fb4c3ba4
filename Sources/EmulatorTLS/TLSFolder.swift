import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The files of the authority's folder: read, written whole by renaming, and under a lock.
enum TLSFolder {
    /// Runs `body` holding an exclusive lock on the folder (made 0700 if missing), so that two emulators starting
    /// at once do not both make an authority.
    static func locked<T>(_ directory: String, _ body: () throws -> T) throws -> T {
        var isFolder = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder) {
            if let failure = makeFolder(directory) {
                throw TLSError("\(directory): cannot make the folder for certificates (\(failure))")
            }
        } else if !isFolder {
            throw TLSError("\(directory): is not a folder")
        }
        let lock = open(directory + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw TLSError("\(directory): cannot lock the folder (\(lastError()))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else { throw TLSError("\(directory): cannot lock the folder (\(lastError()))") }
        return try body()
    }

    /// Makes `path` and any missing parent, each 0700; nil when done, else why not.
    private static func makeFolder(_ path: String) -> String? {
        if mkdir(path, 0o700) == 0 { return nil }
        if errno == ENOENT, let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            if let failure = makeFolder(String(path[..<slash])) { return failure }
            if mkdir(path, 0o700) == 0 { return nil }
        }
        var isFolder = false
        return errno == EEXIST && FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) && isFolder
            ? nil : lastError()
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw TLSError("\(path): \(reason)")
        }
        guard let text = String(validating: data, as: UTF8.self) else { throw TLSError("\(path): not a PEM file (not text)") }
        return text
    }

    /// Writes a complete copy beside the file, with its permissions set before anything is in it, then renames it
    /// over the file: a reader sees the old file or the new one, never a part.
    static func write(_ text: String, to path: String, secret: Bool) throws {
        let temporary = path + ".new"
        unlink(temporary)
        let file = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, secret ? 0o600 : 0o644)
        guard file >= 0 else { throw TLSError("\(path): cannot be written (\(lastError()))") }
        var remaining = Array(text.utf8)[...]
        var failure: String?
        while !remaining.isEmpty {
            let written = Glibc.write(file, Array(remaining), remaining.count)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                failure = lastError()
                break
            }
            remaining = remaining.dropFirst(written)
        }
        if failure == nil && fsync(file) != 0 { failure = lastError() }
        if close(file) != 0 && failure == nil { failure = lastError() }
        if failure == nil && rename(temporary, path) != 0 { failure = lastError() }
        if let failure {
            unlink(temporary)
            throw TLSError("\(path): cannot be written (\(failure))")
        }
    }

    /// The system's message for the last failed call.
    private static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
