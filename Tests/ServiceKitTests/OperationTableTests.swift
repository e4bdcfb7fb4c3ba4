import AlibabaRPC
import EmulatorStore
import ServiceKit
import Testing

/// A configuration and two operations, to see the table route calls by action.
private struct Greeting: Sendable {
    var word: String
}

private struct Hello: Operation {
    static let action = "Hello"
    static let numericParameters: [NumericParameter] = [.integer("Times"), .time("At")]
    let configuration: Greeting
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        [.init("Said", .string("\(configuration.word) \(call.optional("Name") ?? "nobody")"))]
    }
}

private struct Refuse: Operation {
    static let action = "Refuse"
    let configuration: Greeting
    let store: Store

    func perform(_ call: RPCCall) throws -> [RPCValue.Field] {
        throw APIError(status: 403, code: "Refused", message: "No.")
    }
}

@Suite struct OperationTableTests {
    fileprivate let table = OperationTable<Greeting>([.init(Hello.self), .init(Refuse.self)])

    fileprivate func call(_ action: String) -> RPCCall {
        RPCCall(action: action, parameters: RPCParameters([("Name", "Ada")]), accountId: "default", now: 0)
    }

    @Test func routesEachActionToItsOperation() throws {
        let store = try Store(path: ":memory:")
        #expect(table.actions == ["Hello", "Refuse"])
        #expect(table.implements("Hello") && table.implements("Refuse") && !table.implements("hello"))
        let said = try table.perform(call("Hello"), configuration: Greeting(word: "hi"), store: store)
        #expect(said == [.init("Said", .string("hi Ada"))])
        #expect(throws: APIError(status: 403, code: "Refused", message: "No.")) {
            try table.perform(call("Refuse"), configuration: Greeting(word: "hi"), store: store)
        }
        #expect(throws: APIError.actionNotFound) {
            try table.perform(call("Goodbye"), configuration: Greeting(word: "hi"), store: store)
        }
    }

    @Test func carriesEachOperationsNumericParameters() {
        #expect(table.entries.map(\.numericParameters) == [[.integer("Times"), .time("At")], []])
    }
}

@Suite struct PageTests {
    @Test func countsTheEntriesBeforeThePage() {
        #expect(Page(number: 1, size: 30).offset == 0)
        #expect(Page(number: 3, size: 50).offset == 100)
    }

    /// A count past 64 bits is past the end of any listing: the page is empty rather than a crash.
    @Test func aPageTooFarForTheCountStartsPastTheEnd() {
        #expect(Page(number: Int.max, size: 2).offset == Int.max)
        #expect(Page(number: Int.max / 100 + 2, size: 100).offset == Int.max)
        #expect(Page(number: Int.max, size: 1).offset == Int.max - 1)
    }
}
