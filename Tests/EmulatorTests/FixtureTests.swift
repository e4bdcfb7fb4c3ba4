import Foundation
import Testing

@testable import Emulator

@Suite struct FixtureTests {
    @Test func theBinaryCarriesTheFixturesFile() throws {
        let file = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/instances.json"), encoding: .utf8)
        #expect(
            BundledFixtures.instancesJSON + "\n" == file,
            "Fixtures/instances.json changed: run scripts/embed-fixtures.sh")
        let keys = try String(contentsOf: repositoryRoot.appendingPathComponent("Fixtures/accounts.json"), encoding: .utf8)
        #expect(BundledFixtures.accountsJSON + "\n" == keys, "Fixtures/accounts.json changed: run scripts/embed-fixtures.sh")
    }

    @Test func theBundledFixturesAreValid() throws {
        let records = try Emulator.loadFixtures(from: nil, accounts: ["default", "other"])
        #expect(records.count == 19)
        #expect(records.filter { $0.product == .mongodb }.count == 7)
    }

    static let problems: [(json: String, message: String)] = [
        ("{", "f.json: not valid JSON"),
        (#"{"DBInstanceId":"x"}"#, "f.json: the top level must be an array of instance entries"),
        ("[5]", "f.json: entry 1: an instance entry must be a JSON object, not a number"),
        (#"[{"Engine":"MySQL"}]"#, #"f.json: entry 1: field "DBInstanceId": is required"#),
        (#"[{"DBInstanceId":"a b","Engine":"MySQL"}]"#, #"f.json: entry 1: field "DBInstanceId": must be 1 to 64 letters, digits, '-' or '_'"#),
        (#"[{"DBInstanceId":"rm-a"}]"#, #"f.json: entry 1 (rm-a): field "Engine": is required"#),
        (#"[{"DBInstanceId":"rm-a","Engine":"MySQL"},{"DBInstanceId":"rm-b","Engine":"MySQL","LockMode":"Locked"}]"#,
         #"f.json: entry 2 (rm-b): field "LockMode": "Locked" is not one of LockByDiskQuota, LockByExpiration, LockByRestoration, LockReadInstanceByDiskQuota, ManualLock, Unlock"#),
        (#"[{"DBInstanceId":"rm-a","Engine":"MySQL"},{"DBInstanceId":"rm-a","Engine":"MySQL"}]"#,
         #"f.json: entry 2 (rm-a): field "DBInstanceId": the id is used by an earlier entry too"#),
        (#"[{"DBInstanceId":"rm-a","Engine":"MySQL","Databases":"app"}]"#,
         #"f.json: entry 1 (rm-a): field "Databases": must be an array of database names, not a string"#),
        (#"[{"DBInstanceId":"rm-a","Engine":"MySQL","Databases":["a,b"]}]"#,
         #"f.json: entry 1 (rm-a): field "Databases": each database name must be a non-empty string without commas"#),
        (#"[{"DBInstanceId":"rm-a","Engine":"MySQL","DBInstanceStorage":"20"}]"#,
         #"f.json: entry 1 (rm-a): field "DBInstanceStorage": must be a whole number, not a string"#),
        (#"[{"DBInstanceId":"rm-a","Engine":"MySQL","KindCode":"0"}]"#,
         #"f.json: entry 1 (rm-a): field "KindCode": is not a field of this product's instances (misspelt?)"#),
        (#"[{"DBInstanceId":"d-a","Engine":"MongoDB","DBInstanceStorageType":"local_ssd"}]"#,
         #"f.json: entry 1 (d-a): field "DBInstanceStorageType": is not a field of this product's instances (misspelt?)"#),
        (#"[{"DBInstanceId":"d-a","Engine":"MongoDB","KindCode":"3","DBInstanceType":"sharding"}]"#,
         #"f.json: entry 1 (d-a): field "DBInstanceType": a standalone instance (KindCode 3) is of type replicate"#),
    ]

    @Test(arguments: problems)
    func namesTheFileTheEntryAndTheField(_ json: String, message: String) {
        #expect {
            try InstanceFixture.decodeFile(Array(json.utf8), source: "f.json", accounts: ["default"])
        } throws: { error in
            "\(error)" == message
        }
    }

    @Test func readsAFixturesFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(#"[{"DBInstanceId":"dds-only","Engine":"MongoDB","StorageType":"cloud_essd2"}]"#.utf8)
            .write(to: folder.appendingPathComponent("instances.json"))
        let records = try Emulator.loadFixtures(from: folder.path, accounts: ["default"])
        #expect(records.map(\.instanceId) == ["dds-only"])
        #expect(records[0].kindCode == "18")
        #expect {
            try Emulator.loadFixtures(from: folder.appendingPathComponent("none").path, accounts: ["default"])
        } throws: { error in
            "\(error)" == "fixtures folder \(folder.path)/none: no such folder"
        }
    }
}
