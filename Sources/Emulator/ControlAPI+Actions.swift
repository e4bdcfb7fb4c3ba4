import AlibabaRPC

extension ControlAPI {
    /// `GET /_emulator/actions`: per product, the actions of its real API that the emulator emulates and those it
    /// answers with 501 `NotImplemented.ByEmulator`, each list in byte order.
    static func actionCatalogue(of services: [any RPCService]) -> RPCValue {
        .object([
            .init(
                "products",
                .array(
                    services.map { service in
                        let emulated = service.apiActions.filter(service.implements)
                        let notEmulated = service.apiActions.filter { !service.implements($0) }
                        return .object([
                            .init("product", .string(service.productCode)), .init("version", .string(service.version)),
                            .init("emulated", .array(emulated.map { .string($0) })),
                            .init("notEmulated", .array(notEmulated.map { .string($0) })),
                        ])
                    }))
        ])
    }
}
