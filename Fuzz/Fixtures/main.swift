import AlibabaRPC
import Emulator

/// The fixture files: the input is read as `instances.json` and as `accounts.json`. Either it decodes, or the
/// problem is described; instances decoded are written back as entries that decode to the same records.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let accounts: Set<String> = ["default", "other"]
    do {
        let records = try InstanceFixture.decodeFile(bytes, source: "instances.json", accounts: accounts)
        let written = "[" + records.map { InstanceFixture.encode($0).jsonText }.joined(separator: ",") + "]"
        let again = try? InstanceFixture.decodeFile(Array(written.utf8), source: "written", accounts: accounts)
        precondition(again == records, "written back as \(written)")
    } catch {
        precondition(!error.description.isEmpty)
    }
    do {
        _ = try AccessKeyFixture.decodeFile(bytes, source: "accounts.json")
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}
