import Crypto
import FoundationEssentials
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#endif

/// The emulator's own certificate authority, kept in a folder (`ca.pem`, `ca-key.pem`), and the server
/// certificate it signs for the HTTPS port (`server.pem`, `server-key.pem`). Users trust the authority once; the
/// server certificate is renewed as needed without their noticing.
///
/// The folder is made 0700 and the keys 0600. Files are replaced by renaming a complete copy, under a lock on
/// `.lock`, so emulators starting at once on the same folder agree on one authority.
public struct CertificateAuthority: Sendable {
    /// About ten years: an authority users trusted keeps working for the life of a project.
    public static let validity: TimeInterval = 3_652 * 86_400
    /// Clients refuse server certificates valid for longer (Apple's and browsers' rule, followed by others).
    public static let serverValidity: TimeInterval = 397 * 86_400
    /// A certificate expiring sooner than this is renewed at start-up.
    public static let renewalMargin: TimeInterval = 30 * 86_400
    /// Certificates start this much before they are made, so that a client whose clock lags accepts them.
    static let backdating: TimeInterval = 3_600

    public let directory: String
    public let certificate: Certificate
    private let key: Certificate.PrivateKey

    public var certificatePath: String { directory + "/ca.pem" }
    var keyPath: String { directory + "/ca-key.pem" }
    public var serverCertificatePath: String { directory + "/server.pem" }
    public var serverKeyPath: String { directory + "/server-key.pem" }

    /// The authority's certificate in PEM, as users add it to a trust store.
    public var certificatePEM: String {
        get throws { try certificate.serializeAsPEM().pemString + "\n" }
    }

    /// The SHA-256 of the authority's certificate (DER), in hex: the same authority has the same fingerprint.
    public var fingerprint: String {
        get throws { try Self.fingerprint(of: certificate) }
    }

    static func fingerprint(of certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return SHA256.hash(data: serializer.serializedBytes).map(hex).joined()
    }

    /// The authority kept in `directory`; one is made (with the folder) when there is none, or when it has
    /// expired or is about to.
    public static func open(in directory: String, now: Date = Date()) throws -> CertificateAuthority {
        try TLSFolder.locked(directory) {
            let certificatePath = directory + "/ca.pem"
            let keyPath = directory + "/ca-key.pem"
            let manager = FileManager.default
            switch (manager.fileExists(atPath: certificatePath), manager.fileExists(atPath: keyPath)) {
            case (true, true):
                let authority = try load(directory: directory)
                if authority.certificate.notValidAfter.timeIntervalSince(now) > renewalMargin { return authority }
            case (false, false):
                break
            default:
                throw TLSError(
                    "\(directory): holds only one of ca.pem and ca-key.pem; remove the folder to make a new authority")
            }
            let authority = try make(directory: directory, now: now)
            try TLSFolder.write(try authority.key.serializeAsPEM().pemString + "\n", to: keyPath, secret: true)
            try TLSFolder.write(try authority.certificatePEM, to: certificatePath, secret: false)
            return authority
        }
    }

    private static func load(directory: String) throws -> CertificateAuthority {
        let certificatePath = directory + "/ca.pem"
        let keyPath = directory + "/ca-key.pem"
        let certificate: Certificate
        let key: Certificate.PrivateKey
        do {
            certificate = try Certificate(pemEncoded: try TLSFolder.read(certificatePath))
            key = try Certificate.PrivateKey(pemEncoded: try TLSFolder.read(keyPath))
        } catch let error as TLSError {
            throw error
        } catch {
            throw TLSError("\(directory): the authority's files cannot be read (\(error)); remove the folder to make a new one")
        }
        guard key.publicKey == certificate.publicKey else {
            throw TLSError("\(keyPath): is not the key of \(certificatePath); remove the folder to make a new authority")
        }
        return CertificateAuthority(directory: directory, certificate: certificate, key: key)
    }

    private static func make(directory: String, now: Date) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        // A name of its own, so that users tell this machine's authority apart from another's in a trust store.
        let suffix = (0..<4).map { _ in hex(UInt8.random(in: 0...255)) }.joined()
        let name = try DistinguishedName {
            OrganizationName("aliyun-db-emulator")
            CommonName("aliyun-db-emulator local CA \(suffix)")
        }
        let start = now.addingTimeInterval(-backdating)
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey, notValidBefore: start,
            notValidAfter: start.addingTimeInterval(validity), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: key.publicKey)
            },
            issuerPrivateKey: key)
        return CertificateAuthority(directory: directory, certificate: certificate, key: key)
    }

    /// The server certificate's files, made or renewed when they are missing, expire within `renewalMargin`, name
    /// other hosts than `names`, or were signed by another authority. `renewed` tells whether new files were written.
    public func serverFiles(names: ServerNames = .standard, now: Date = Date()) throws -> (files: TLSFiles, renewed: Bool) {
        try TLSFolder.locked(directory) {
            let files = TLSFiles(certificateChain: serverCertificatePath, privateKey: serverKeyPath)
            if let current = try? currentServerCertificate(), isUsable(current, names: names, now: now) {
                return (files, false)
            }
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let start = now.addingTimeInterval(-Self.backdating)
            let end = min(start.addingTimeInterval(Self.serverValidity), certificate.notValidAfter)
            let server = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey, notValidBefore: start,
                notValidAfter: end, issuer: certificate.subject,
                subject: try DistinguishedName {
                    OrganizationName("aliyun-db-emulator")
                    CommonName("aliyun-db-emulator")
                },
                signatureAlgorithm: .ecdsaWithSHA256,
                extensions: try Certificate.Extensions {
                    Critical(BasicConstraints.notCertificateAuthority)
                    // An ECDSA key signs the handshake; it encrypts nothing (keyEncipherment is for RSA keys).
                    Critical(KeyUsage(digitalSignature: true))
                    try ExtendedKeyUsage([.serverAuth])
                    SubjectKeyIdentifier(hash: key.publicKey)
                    AuthorityKeyIdentifier(keyIdentifier: try certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
                    SubjectAlternativeNames(names.generalNames)
                },
                issuerPrivateKey: self.key)
            try TLSFolder.write(try key.serializeAsPEM().pemString + "\n", to: serverKeyPath, secret: true)
            // The chain: the server's certificate, then the authority's (clients that trust it need not be sent it,
            // but some tools show the chain, and it costs one certificate in the handshake).
            try TLSFolder.write(
                try server.serializeAsPEM().pemString + "\n" + certificatePEM, to: serverCertificatePath, secret: false)
            return (files, true)
        }
    }

    private func currentServerCertificate() throws -> (certificate: Certificate, key: Certificate.PrivateKey) {
        let documents = try PEMDocument.parseMultiple(pemString: try TLSFolder.read(serverCertificatePath))
        guard let first = documents.first else { throw TLSError("\(serverCertificatePath): empty") }
        return (
            try Certificate(pemDocument: first), try Certificate.PrivateKey(pemEncoded: try TLSFolder.read(serverKeyPath))
        )
    }

    private func isUsable(_ current: (certificate: Certificate, key: Certificate.PrivateKey), names: ServerNames, now: Date) -> Bool {
        let server = current.certificate
        guard current.key.publicKey == server.publicKey, server.issuer == certificate.subject,
            certificate.publicKey.isValidSignature(server.signature, for: server),
            server.notValidBefore <= now, server.notValidAfter.timeIntervalSince(now) > Self.renewalMargin,
            let present = try? server.extensions.subjectAlternativeNames
        else { return false }
        return Set(present) == Set(names.generalNames)
    }
}

/// The names the server certificate covers.
public struct ServerNames: Sendable, Equatable {
    public var dnsNames: [String]
    /// IPv4 (4 bytes) and IPv6 (16 bytes) addresses.
    public var addresses: [[UInt8]]

    public init(dnsNames: [String], addresses: [[UInt8]]) {
        self.dnsNames = dnsNames
        self.addresses = addresses
    }

    /// `*.aliyuncs.com`, every RDS and MongoDB endpoint name of the SDKs' tables, `localhost`, `127.0.0.1` and `::1`.
    public static let standard = ServerNames(
        dnsNames: ["*.aliyuncs.com"] + EndpointNames.all + ["localhost"],
        addresses: [[127, 0, 0, 1], [UInt8](repeating: 0, count: 15) + [1]])

    var generalNames: [GeneralName] {
        dnsNames.map { GeneralName.dnsName($0) } + addresses.map { GeneralName.ipAddress(ASN1OctetString(contentBytes: $0[...])) }
    }
}

/// A byte as two lower-case hex digits.
private func hex(_ byte: UInt8) -> String {
    (byte < 16 ? "0" : "") + String(byte, radix: 16)
}
