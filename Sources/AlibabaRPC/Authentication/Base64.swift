internal import ExtrasBase64

/// Standard Base64 with padding (RFC 4648 §4), for V1 signatures: swift-extras-base64's encoder, and a
/// constant-time comparison with what the client sent.
///
/// The library against the hand-written encoder it replaced, in instructions per signed V1 CreateBackup
/// (`bench/instructions.py v1 --top 400`, callgrind, the functions' own counts): checking a signature cost 417 with
/// the hand-written matcher, and costs 534 with the library's encoder and this wrapper, plus 86 for the
/// constant-time comparison that either needs: about 120 more, under a tenth of a percent of a request's 150,000
/// and well inside the 2% by which whole-request counts vary. So the library is used.
enum Base64 {
    /// Whether `text` is the encoding of `bytes`: the encoding is made in scratch memory (a signature is 20 bytes,
    /// 28 symbols) and compared whole.
    static func matches(_ text: String, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let length = ExtrasBase64.Base64.encodedLength(bytesCount: bytes.count)
        var text = text
        return text.withUTF8 { received in
            guard received.count == length else { return false }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: length) { scratch in
                var output = scratch.mutableSpan
                let written = ExtrasBase64.Base64.encode(bytes: bytes.assumingMemoryBound(to: UInt8.self).span, into: &output)
                return ConstantTime.equal(received, UnsafeBufferPointer(rebasing: scratch[..<written]))
            }
        }
    }

    static func encode(_ bytes: UnsafeRawBufferPointer) -> String {
        ExtrasBase64.Base64.encodeToString(bytes: bytes)
    }

    static func encode(_ bytes: [UInt8]) -> String {
        ExtrasBase64.Base64.encodeToString(bytes: bytes)
    }
}
