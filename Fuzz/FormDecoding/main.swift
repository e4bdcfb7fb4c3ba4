import AlibabaRPC

/// The form and query decoder (`RPCParameters`, `PercentEncoding`): any bytes either decode or are refused with
/// a reason, and what decodes, written out again with `PercentEncoding.encode`, decodes to the same pairs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    var parameters = RPCParameters()
    do {
        try parameters.parse(formEncoded: text)
        let written = parameters.pairs.map { PercentEncoding.encode($0.name) + "=" + PercentEncoding.encode($0.value) }
        var again = RPCParameters()
        try again.parse(formEncoded: written.joined(separator: "&"))
        precondition(
            again.pairs.elementsEqual(parameters.pairs, by: { $0.name == $1.name && $0.value == $1.value }),
            "\(text) written out again decodes to other pairs")
        for pair in parameters.pairs { precondition(parameters[pair.name] != nil, "\(pair.name) not found") }
    } catch {
        precondition(!error.reason.isEmpty)
    }
    if let decoded = try? PercentEncoding.formDecode(text) {
        precondition((try? PercentEncoding.formDecode(PercentEncoding.encode(decoded))) == decoded, "\(text)")
    }
    return 0
}
