internal import CLibevent
internal import CLibeventOpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// An OpenSSL server context for the HTTPS port: TLS 1.2 and 1.3, with the certificate chain and key from PEM
/// files, and the buffered sockets of its connections.
///
/// Concurrency invariant (why `@unchecked Sendable`): the context is set up once, in `init`, and only read after
/// (`SSL_new` is thread-safe on a context no one changes); each connection's `SSL` belongs to one worker.
final class TLSContext: @unchecked Sendable {
    private let context: OpaquePointer

    init(certificateChain: String, privateKey: String) throws {
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw HTTPServerError(description: "cannot set up TLS: \(Self.openSSLError())")
        }
        self.context = context
        guard clibeventopenssl_configure_server(context) == 1 else {
            throw HTTPServerError(description: "cannot set up TLS 1.2 and 1.3: \(Self.openSSLError())")
        }
        guard SSL_CTX_use_certificate_chain_file(context, certificateChain) == 1 else {
            throw HTTPServerError(description: "\(certificateChain): cannot load the certificate chain: \(Self.openSSLError())")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKey, SSL_FILETYPE_PEM) == 1 else {
            throw HTTPServerError(description: "\(privateKey): cannot load the private key: \(Self.openSSLError())")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw HTTPServerError(
                description: "\(privateKey): is not the key of the certificate in \(certificateChain): \(Self.openSSLError())")
        }
    }

    deinit { SSL_CTX_free(context) }

    /// A buffered socket that performs the server's side of the handshake once evhttp gives it the accepted socket;
    /// freeing it frees its `SSL` and closes the socket. Nil when OpenSSL or libevent cannot make one.
    func acceptingConnection(on base: OpaquePointer) -> OpaquePointer? {
        guard let ssl = SSL_new(context) else { return nil }
        guard
            let events = bufferevent_openssl_socket_new(
                base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, Int32(BEV_OPT_CLOSE_ON_FREE.rawValue))
        else {
            SSL_free(ssl)
            return nil
        }
        // A client that closes without TLS's closing message ends the connection as an ordinary close would.
        bufferevent_openssl_set_allow_dirty_shutdown(events, 1)
        return events
    }

    /// Whether the connection's handshake has completed (before that, no HTTP can be read or written).
    static func handshakeDone(_ events: OpaquePointer) -> Bool {
        guard let ssl = bufferevent_openssl_get_ssl(events) else { return false }
        return SSL_is_init_finished(ssl) == 1
    }

    /// Writes `bytes` through the connection's TLS session at once, bypassing the buffered socket (whose output
    /// must be empty): what the request deadline's reply needs just before the connection is closed.
    static func writeNow(_ bytes: [UInt8], to events: OpaquePointer) {
        guard let ssl = bufferevent_openssl_get_ssl(events), SSL_is_init_finished(ssl) == 1 else { return }
        _ = bytes.withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(clamping: $0.count)) }
        ERR_clear_error()
    }

    /// OpenSSL's reasons for the last failure, oldest first, and its error queue emptied.
    private static func openSSLError() -> String {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "unknown error" : reasons.joined(separator: "; ")
    }
}
