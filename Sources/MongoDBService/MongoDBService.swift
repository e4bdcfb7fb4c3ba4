import AlibabaRPC
import EmulatorStore
import ServiceKit

/// A MongoDB operation: made for each call from the service's configuration and the store.
protocol MongoDBOperation: Operation where Configuration == MongoDBConfiguration {}

/// ApsaraDB for MongoDB (product code Dds), API version 2015-12-01.
public typealias MongoDBService = ProductService<MongoDBConfiguration>

extension ProductService where Configuration == MongoDBConfiguration {
    /// Every operation, one line each: an operation is its file and its line here.
    public static var operations: OperationTable<MongoDBConfiguration> { mongoDBOperations }

    public convenience init(configuration: MongoDBConfiguration, store: Store) {
        self.init(
            productCode: "Dds", version: "2015-12-01", endpoint: "mongodb.aliyuncs.com",
            // The tables name mongodb.aliyuncs.com and mongodb.<region>.aliyuncs.com; for a region they lack, both SDK
            // generations form the name from the product id: dds.<region>.aliyuncs.com.
            endpointLabels: ["mongodb", "dds"],
            apiActions: MongoDBAPIActions.all, operations: mongoDBOperations, configuration: configuration,
            store: store)
    }
}

private let mongoDBOperations = OperationTable<MongoDBConfiguration>([
    .init(CreateBackup.self),
    .init(DescribeBackups.self),
    .init(DescribeBackupTasks.self),
    .init(DescribeDBInstanceAttribute.self),
    .init(DescribeDBInstances.self),
    .init(DescribeBackupPolicy.self),
    .init(ModifyBackupPolicy.self),
    .init(CreateDBInstance.self),
    .init(DeleteDBInstance.self),
    .init(RestartDBInstance.self),
    .init(DescribeRegions.self),
])
