import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import EmulatorTLS

/// A fresh folder under the system's temporary one, removed after the test.
private func withFolder<T>(_ body: (String) throws -> T) throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("emulator-tls-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try body(folder + "/tls")
}

private func serverCertificate(_ path: String) throws -> Certificate {
    let documents = try PEMDocument.parseMultiple(pemString: try String(contentsOfFile: path, encoding: .utf8))
    return try Certificate(pemDocument: documents[0])
}

private func permissions(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

@Suite struct CertificateAuthorityTests {
    @Test func theAuthorityIsACriticalCAForSigningCertificatesForAboutTenYears() throws {
        try withFolder { folder in
            let now = Date()
            let authority = try CertificateAuthority.open(in: folder, now: now)
            let certificate = authority.certificate
            #expect(certificate.issuer == certificate.subject)
            #expect(certificate.publicKey.isValidSignature(certificate.signature, for: certificate))
            let constraints = try #require(certificate.extensions.first { $0.oid == .X509ExtensionID.basicConstraints })
            #expect(constraints.critical)
            #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: 0))
            #expect(try certificate.extensions.keyUsage == KeyUsage(keyCertSign: true, cRLSign: true))
            #expect(certificate.extensions.first { $0.oid == .X509ExtensionID.keyUsage }?.critical == true)
            #expect(try certificate.extensions.subjectKeyIdentifier != nil)
            let years = certificate.notValidAfter.timeIntervalSince(now) / (365.25 * 86_400)
            #expect(years > 9.9 && years < 10.1)
            #expect(certificate.notValidBefore < now)
        }
    }

    @Test func theServerCertificateNamesEveryEndpointAndServesOnlyAsAServer() throws {
        try withFolder { folder in
            let now = Date()
            let authority = try CertificateAuthority.open(in: folder, now: now)
            let (files, renewed) = try authority.serverFiles(now: now)
            #expect(renewed)
            let server = try serverCertificate(files.certificateChain)
            let names = try #require(try server.extensions.subjectAlternativeNames)
            let dns = Set(names.compactMap { name -> String? in if case .dnsName(let text) = name { text } else { nil } })
            for expected in [
                "*.aliyuncs.com", "rds.aliyuncs.com", "mongodb.aliyuncs.com", "rds.cn-hangzhou.aliyuncs.com",
                "rds.ap-southeast-5.aliyuncs.com", "mongodb.cn-zhangjiakou.aliyuncs.com", "mongodb.eu-central-1.aliyuncs.com",
                "localhost",
            ] {
                #expect(dns.contains(expected), "\(expected) is missing")
            }
            let addresses = names.compactMap { name -> [UInt8]? in if case .ipAddress(let bytes) = name { Array(bytes.bytes) } else { nil } }
            #expect(addresses == [[127, 0, 0, 1], [UInt8](repeating: 0, count: 15) + [1]])
            #expect(try server.extensions.basicConstraints == .notCertificateAuthority)
            #expect(try server.extensions.keyUsage == KeyUsage(digitalSignature: true))
            #expect(try server.extensions.extendedKeyUsage == ExtendedKeyUsage([.serverAuth]))
            #expect(
                try server.extensions.authorityKeyIdentifier?.keyIdentifier
                    == authority.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
            #expect(server.issuer == authority.certificate.subject)
            #expect(authority.certificate.publicKey.isValidSignature(server.signature, for: server))
            #expect(server.notValidAfter.timeIntervalSince(server.notValidBefore) <= 397 * 86_400)
            #expect(server.notValidBefore < now && server.notValidAfter > now.addingTimeInterval(396 * 86_400))
            // The chain file holds the server's certificate, then the authority's.
            let chain = try PEMDocument.parseMultiple(pemString: try String(contentsOfFile: files.certificateChain, encoding: .utf8))
            #expect(try chain.map { try Certificate(pemDocument: $0) } == [server, authority.certificate])
            let key = try Certificate.PrivateKey(pemEncoded: try String(contentsOfFile: files.privateKey, encoding: .utf8))
            #expect(key.publicKey == server.publicKey)
        }
    }

    @Test func theAuthorityAndTheServerCertificateAreReusedAcrossRestarts() throws {
        try withFolder { folder in
            let first = try CertificateAuthority.open(in: folder)
            let served = try first.serverFiles()
            let before = try serverCertificate(served.files.certificateChain)
            let again = try CertificateAuthority.open(in: folder)
            #expect(try again.fingerprint == first.fingerprint)
            #expect(try again.certificatePEM == String(contentsOfFile: folder + "/ca.pem", encoding: .utf8))
            let reused = try again.serverFiles()
            #expect(!reused.renewed)
            #expect(try serverCertificate(reused.files.certificateChain) == before)
        }
    }

    @Test func theFolderAndTheKeysAreTheOwnersOnly() throws {
        try withFolder { folder in
            _ = try CertificateAuthority.open(in: folder).serverFiles()
            #expect(try permissions(folder) == 0o700)
            #expect(try permissions(folder + "/ca-key.pem") == 0o600)
            #expect(try permissions(folder + "/server-key.pem") == 0o600)
            #expect(try permissions(folder + "/ca.pem") == 0o644)
            #expect(!FileManager.default.fileExists(atPath: folder + "/server.pem.new"))
        }
    }

    @Test func theServerCertificateIsRenewedNearItsEndOrForOtherNames() throws {
        try withFolder { folder in
            let now = Date()
            let authority = try CertificateAuthority.open(in: folder, now: now)
            _ = try authority.serverFiles(now: now)
            #expect(try !authority.serverFiles(now: now.addingTimeInterval(300 * 86_400)).renewed)
            let late = now.addingTimeInterval(380 * 86_400)
            let renewed = try authority.serverFiles(now: late)
            #expect(renewed.renewed)
            #expect(try serverCertificate(renewed.files.certificateChain).notValidAfter > late.addingTimeInterval(390 * 86_400))
            var names = ServerNames.standard
            names.dnsNames.append("rds.new-region-1.aliyuncs.com")
            #expect(try authority.serverFiles(names: names, now: late).renewed)
            #expect(try !authority.serverFiles(names: names, now: late).renewed)
        }
    }

    @Test func aNewAuthorityReplacesTheServerCertificateOfTheOldOne() throws {
        try withFolder { folder in
            let old = try CertificateAuthority.open(in: folder)
            _ = try old.serverFiles()
            try FileManager.default.removeItem(atPath: folder + "/ca.pem")
            try FileManager.default.removeItem(atPath: folder + "/ca-key.pem")
            let new = try CertificateAuthority.open(in: folder)
            #expect(try new.fingerprint != old.fingerprint)
            let renewed = try new.serverFiles()
            #expect(renewed.renewed)
            #expect(try serverCertificate(renewed.files.certificateChain).issuer == new.certificate.subject)
        }
    }

    @Test func anAuthorityWithOneFileMissingIsAnError() throws {
        try withFolder { folder in
            _ = try CertificateAuthority.open(in: folder)
            try FileManager.default.removeItem(atPath: folder + "/ca-key.pem")
            #expect { try CertificateAuthority.open(in: folder) } throws: { error in
                "\(error)".contains("holds only one of ca.pem and ca-key.pem")
            }
        }
    }

    @Test func theDefaultFolderIsBesideTheStateFileElseTheUsersDataFolder() {
        #expect(TLSDirectory.default(statePath: "/data/state.db", environment: [:]) == "/data/aliyun-db-emulator-tls")
        #expect(
            TLSDirectory.default(statePath: ":memory:", environment: ["XDG_DATA_HOME": "/x", "HOME": "/home/u"])
                == "/x/aliyun-db-emulator/tls")
        #expect(
            TLSDirectory.default(statePath: ":memory:", environment: ["HOME": "/home/u"])
                == "/home/u/.local/share/aliyun-db-emulator/tls")
        #expect(TLSDirectory.default(statePath: ":memory:", environment: [:]) == nil)
    }
}

@Suite struct UserCertificateTests {
    @Test func aMatchingPairIsAccepted() throws {
        try withFolder { folder in
            let files = try CertificateAuthority.open(in: folder).serverFiles().files
            #expect(try UserCertificate.check(certificate: files.certificateChain, key: files.privateKey) == files)
        }
    }

    @Test(arguments: [
        ("missing", "server-key.pem", "missing.pem: no such file"),
        ("notpem", "server-key.pem", "not a PEM certificate"),
        ("server.pem", "notpem", "not a PEM private key"),
        ("server.pem", "ca-key.pem", "is not the key of the certificate"),
        ("server.pem", "server.pem", "not a PEM private key"),
    ])
    func badFilesAreRefusedWithTheReason(certificate: String, key: String, reason: String) throws {
        try withFolder { folder in
            _ = try CertificateAuthority.open(in: folder).serverFiles()
            try "hello\n".write(toFile: folder + "/notpem", atomically: true, encoding: .utf8)
            func path(_ name: String) -> String { folder + "/" + (name == "missing" ? "missing.pem" : name) }
            #expect { try UserCertificate.check(certificate: path(certificate), key: path(key)) } throws: { error in
                "\(error)".contains(reason)
            }
        }
    }
}
