import NIOSSL
import SwiftASN1

/// The subject Common Name of a certificate: the identity access control lists name.
enum CertificateSubject {
    /// The last (most significant) CN of the subject, as the seed's `geard` and OpenSSL pick it; `nil` when the
    /// certificate has none or cannot be parsed.
    static func commonName(of certificate: NIOSSLCertificate) -> String? {
        guard let der = try? certificate.toDERBytes() else { return nil }
        return try? commonName(fromDER: der)
    }

    /// Walks `Certificate → TBSCertificate → subject Name → RDNs → AttributeTypeAndValue` (RFC 5280 §4.1).
    static func commonName(fromDER der: [UInt8]) throws -> String? {
        let certificate = try DER.parse(der)
        guard let tbs = try children(of: certificate)?.first, var tbsFields = try children(of: tbs)?[...] else { return nil }
        if tbsFields.first?.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
            tbsFields = tbsFields.dropFirst()  // the optional explicit version
        }
        // serialNumber, signature, issuer, validity, subject
        guard tbsFields.count >= 5 else { return nil }
        var name: String?
        for relativeName in try children(of: tbsFields[tbsFields.startIndex + 4]) ?? [] {
            for attribute in try children(of: relativeName) ?? [] {
                guard let parts = try children(of: attribute), parts.count == 2,
                    try ASN1ObjectIdentifier(derEncoded: parts[0]) == .NameAttributes.commonName,
                    case .primitive(let value) = parts[1].content
                else { continue }
                name = String(decoding: value, as: UTF8.self)
            }
        }
        return name
    }

    private static func children(of node: ASN1Node?) throws -> [ASN1Node]? {
        guard let node, case .constructed(let nodes) = node.content else { return nil }
        return Array(nodes)
    }
}
