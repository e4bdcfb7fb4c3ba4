import AlibabaRPC
import EmulatorStore
import ServiceKit

/// What the RDS lifecycle operations share: engine versions, new ids and endpoints, the caller's instance as it
/// is now, and `ClientToken` replays.
enum RDSInstances {
    /// `EngineVersion` values `CreateDBInstance` accepts, per engine (workflow reference §7.1).
    static let versions: [String: Set<String>] = [
        "MySQL": ["5.5", "5.6", "5.7", "8.0"],
        "PostgreSQL": ["10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0", "17.0"],
        "SQLServer": [
            "2008r2", "08r2_ent_ha", "2012", "2012_ent_ha", "2012_std_ha", "2012_web", "2014_ent_ha", "2014_std_ha",
            "2016_ent_ha", "2016_std_ha", "2016_web", "2017_ent", "2017_std_ha", "2019_ent", "2019_std_ha",
            "2019_std_sl", "2022_ent", "2022_std_ha", "2022_std_sl",
        ],
        "MariaDB": ["10.3"],
    ]
    static let payTypes: Set<String> = ["Postpaid", "Prepaid", "Serverless"]
    static let categories: Set<String> = [
        "Basic", "HighAvailability", "cluster", "AlwaysOn", "Finance", "serverless_basic", "serverless_standard",
        "serverless_ha",
    ]

    /// A new id: `rm-` (`pgm-` for PostgreSQL, as real ones), the region's code and 14 lower-case letters and digits.
    static func newId(engine: String, region: String) -> String {
        Region.newId(
            prefix: engine == "PostgreSQL" ? "pgm-" : "rm-", region: region, count: 14,
            alphabet: "abcdefghijklmnopqrstuvwxyz0123456789")
    }

    /// The internal endpoint real instances get: `<id>.mysql.rds.aliyuncs.com:3306` and the like.
    static func endpoint(id: String, engine: String) -> (connectionString: String, port: String) {
        switch engine {
        case "PostgreSQL": ("\(id).pg.rds.aliyuncs.com", "5432")
        case "SQLServer": ("\(id).sqlserver.rds.aliyuncs.com", "1433")
        case "MariaDB": ("\(id).mariadb.rds.aliyuncs.com", "3306")
        default: ("\(id).mysql.rds.aliyuncs.com", "3306")
        }
    }

    /// Runs `body` once per `ClientToken` (a repeat gets the first reply), inside the caller's transaction.
    static func idempotent(
        _ call: RPCCall, _ state: StoreTransaction, _ body: () throws -> [String: AttributeValue]
    ) throws -> [String: AttributeValue] {
        try state.idempotent(
            call, product: .rds, invalidToken: RDSError.invalidClientToken, mismatch: RDSError.idempotentParameterMismatch, body)
    }

    /// `2024-06-01T10:00Z`: the minutes format of DescribeTasks' times.
    static func minutes(_ instant: Int64) -> String {
        String(UTCTime.iso8601(instant).dropLast(4)) + "Z"
    }
}
