/// `KindCode` values: what kind of deployment an instance is.
public enum MongoDBKind {
    public static let localDisk = "0"
    public static let standalone = "3"
    public static let cloudDisk = "18"
}
