import AlibabaRPC

/// A page of a listing, as `PageNumber` and `PageSize` ask for it.
public struct Page: Sendable, Equatable {
    /// 1 for the first page.
    public let number: Int
    public let size: Int

    public init(number: Int, size: Int) {
        self.number = number
        self.size = size
    }

    /// How many entries come before the page. A page so far out that the count overflows starts past the
    /// end of any listing (`Int.max`): it is empty, as every page after the last is.
    public var offset: Int {
        let (offset, overflow) = (number - 1).multipliedReportingOverflow(by: size)
        return overflow ? Int.max : offset
    }
}

extension RPCCall {
    /// `PageNumber` and `PageSize`: each a whole number the predicate accepts, else its error. Numbers beyond
    /// the 64-bit range are not whole numbers here and get the error too.
    public func page(
        size: (default: Int, error: APIError, isValid: (Int) -> Bool),
        number: (error: APIError, isValid: (Int) -> Bool)
    ) throws(APIError) -> Page {
        let pageSize = try integer("PageSize", default: size.default, otherwise: size.error, isValid: size.isValid)
        let pageNumber = try integer("PageNumber", default: 1, otherwise: number.error, isValid: number.isValid)
        return Page(number: pageNumber, size: pageSize)
    }
}
