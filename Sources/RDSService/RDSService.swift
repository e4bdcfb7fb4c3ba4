import AlibabaRPC
import EmulatorStore
import ServiceKit

/// An RDS operation: made for each call from the service's configuration and the store.
protocol RDSOperation: Operation where Configuration == RDSConfiguration {}

/// ApsaraDB RDS, API version 2014-08-15.
public typealias RDSService = ProductService<RDSConfiguration>

extension ProductService where Configuration == RDSConfiguration {
    /// Every operation, one line each: an operation is its file and its line here.
    public static var operations: OperationTable<RDSConfiguration> { rdsOperations }

    public convenience init(configuration: RDSConfiguration, store: Store) {
        self.init(
            productCode: "Rds", version: "2014-08-15", endpoint: "rds.aliyuncs.com",
            // rds.aliyuncs.com, rds.<region>.aliyuncs.com and rds-vpc.<region>.aliyuncs.com in both SDKs' tables.
            endpointLabels: ["rds"], apiActions: RDSAPIActions.all,
            operations: rdsOperations, configuration: configuration, store: store)
    }
}

private let rdsOperations = OperationTable<RDSConfiguration>([
    .init(CreateBackup.self),
    .init(DescribeBackupTasks.self),
    .init(DescribeBackups.self),
    .init(DeleteBackup.self),
    .init(DescribeDBInstanceAttribute.self),
    .init(DescribeDBInstances.self),
    .init(DescribeBackupPolicy.self),
    .init(ModifyBackupPolicy.self),
    .init(CreateDBInstance.self),
    .init(DeleteDBInstance.self),
    .init(RestartDBInstance.self),
    .init(CloneDBInstance.self),
    .init(DescribeTasks.self),
    .init(DescribeRegions.self),
    .init(DescribeDBInstanceNetInfo.self),
])
