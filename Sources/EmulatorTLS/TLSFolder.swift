import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files of the authority's folder: read, written whole by renaming, and under a lock.
enum TLSFolder {
    /// Runs `body` holding an exclusive lock on the folder (made 0700 if missing), so that two emulators starting
    /// at once do not both make an authority.
    static func locked<T>(_ directory: String, _ body: () throws -> T) throws -> T {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if !manager.fileExists(atPath: directory, isDirectory: &isFolder) {
            do {
                try manager.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw TLSError("\(directory): cannot make the folder for certificates (\(describe(error)))")
            }
        } else if !isFolder.boolValue {
            throw TLSError("\(directory): is not a folder")
        }
        let lock = open(directory + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw TLSError("\(directory): cannot lock the folder (\(String(cString: strerror(errno))))") }
        defer { close(lock) }
        guard flock(lock, LOCK_EX) == 0 else {
            throw TLSError("\(directory): cannot lock the folder (\(String(cString: strerror(errno))))")
        }
        return try body()
    }

    static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file"
            throw TLSError("\(path): \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TLSError("\(path): not a PEM file (not text)") }
        return text
    }

    /// Writes a complete copy beside the file, with its permissions set before anything is in it, then renames it
    /// over the file: a reader sees the old file or the new one, never a part.
    static func write(_ text: String, to path: String, secret: Bool) throws {
        let temporary = path + ".new"
        let manager = FileManager.default
        try? manager.removeItem(atPath: temporary)
        guard manager.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: secret ? 0o600 : 0o644]) else {
            throw TLSError("\(path): cannot be written")
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            try handle.write(contentsOf: Data(text.utf8))
            try handle.synchronize()
            try handle.close()
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw TLSError("\(path): cannot be written (\(describe(error)))")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: temporary)
            throw TLSError("\(path): cannot be written (\(reason))")
        }
    }

    static func describe(_ error: Error) -> String {
        (error as NSError).localizedDescription
    }
}
