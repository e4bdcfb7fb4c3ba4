import AlibabaRPC
import EmulatorStore
import ServiceKit

/// RDS `DescribeDBInstanceNetInfo` (workflow reference §13): the instance's internal endpoint. Every leaf value is
/// a string, and the security group list is spelt `securityIPGroup`, as on the real API.
struct DescribeDBInstanceNetInfo: RDSOperation {
    static let action = "DescribeDBInstanceNetInfo"

    let configuration: RDSConfiguration
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        try store.transaction { state in
            let instance = try state.instance(of: call, product: .rds, notFound: RDSError.netInfoInstanceNotFound)
            _ = try call.clientToken(invalid: RDSError.invalidClientToken)
            let attributes = instance.attributes
            func text(_ name: String) -> String? {
                switch attributes[name] {
                case .string(let value): value
                case .integer(let value): String(value)
                case nil: nil
                }
            }
            let (connectionString, port) = RDSInstances.endpoint(id: instance.instanceId, engine: instance.engine)
            let networkType = text("InstanceNetworkType") ?? "Classic"
            let info: RPCValue = .object([
                .init("ConnectionString", .string(text("ConnectionString") ?? connectionString)),
                .init("IPAddress", .string(text("IPAddress") ?? "192.168.0.10")),
                .init("IPType", .string(networkType == "VPC" ? "Private" : "Inner")),
                .init("Port", .string(text("Port") ?? port)), .init("VPCId", .string(text("VpcId") ?? "")),
                .init("VSwitchId", .string(text("VSwitchId") ?? "")), .init("ConnectionStringType", .string("Normal")),
                .init("Upgradeable", .string("Disabled")), .init("ExpiredTime", .string("")),
                .init("MaxDelayTime", .string("")), .init("DistributionType", .string("")),
                .init(
                    "SecurityIPGroups",
                    .object([
                        .init(
                            "securityIPGroup",
                            .array([
                                .object([
                                    .init("SecurityIPGroupName", .string("Default")),
                                    .init("SecurityIPs", .string(text("SecurityIPList") ?? "127.0.0.1")),
                                ])
                            ]))
                    ])),
                .init("DBInstanceWeights", .object([.init("DBInstanceWeight", .array([]))])),
            ])
            return [
                .init("InstanceNetworkType", .string(networkType)), .init("SecurityIPMode", .string("safety")),
                .init("DBInstanceNetInfos", .object([.init("DBInstanceNetInfo", .array([info]))])),
            ]
        }
    }
}
