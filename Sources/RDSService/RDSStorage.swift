/// Storage kinds, as `DBInstanceStorageType` names them.
public enum RDSStorage {
    public static let localDisk: Set<String> = ["local_ssd", "ephemeral_ssd"]
    public static let cloudDisk: Set<String> = ["cloud_ssd", "cloud_essd", "cloud_essd2", "cloud_essd3", "general_essd"]

    public static func isCloudDisk(_ storageType: String) -> Bool { cloudDisk.contains(storageType) }
}
