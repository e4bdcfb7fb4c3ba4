import SwiftASN1
import X509

/// A certificate and key the user brings (`--tls-cert`, `--tls-key`), checked before the server starts so that a
/// wrong file is a clear start-up error rather than a failed handshake later.
public enum UserCertificate {
    /// The files, once they are readable PEM, the first certificate parses, and the key is that certificate's.
    /// Keys of a type this check cannot read (e.g. DSA) are left to OpenSSL, which checks the pair as it loads it.
    public static func check(certificate: String, key: String) throws -> TLSFiles {
        let certificateText = try TLSFolder.read(certificate)
        let keyText = try TLSFolder.read(key)
        let documents = (try? PEMDocument.parseMultiple(pemString: certificateText)) ?? []
        guard let first = documents.first(where: { $0.discriminator == Certificate.defaultPEMDiscriminator }) else {
            throw TLSError("\(certificate): not a PEM certificate (no -----BEGIN CERTIFICATE----- block)")
        }
        let leaf: Certificate
        do {
            leaf = try Certificate(pemDocument: first)
        } catch {
            throw TLSError("\(certificate): the certificate cannot be read (\(error))")
        }
        let keys = (try? PEMDocument.parseMultiple(pemString: keyText)) ?? []
        guard let keyDocument = keys.first(where: { $0.discriminator.hasSuffix("PRIVATE KEY") }) else {
            throw TLSError("\(key): not a PEM private key (no -----BEGIN PRIVATE KEY----- block)")
        }
        guard keyDocument.discriminator != "ENCRYPTED PRIVATE KEY" else {
            throw TLSError("\(key): the key is encrypted; give the emulator an unencrypted copy")
        }
        if let parsed = try? Certificate.PrivateKey(pemDocument: keyDocument), parsed.publicKey != leaf.publicKey {
            throw TLSError("\(key): is not the key of the certificate in \(certificate)")
        }
        return TLSFiles(certificateChain: certificate, privateKey: key)
    }
}
