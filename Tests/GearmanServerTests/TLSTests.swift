import Foundation
import GearmanProtocol
@testable import GearmanServer
import NIOCore
import NIOSSL
import Testing

/// TLS listeners: beside the plain port, client certificates verified against the CA, interop with Python `gear`.
@Suite struct TLSTests {
    @Test func plainAndTLSListenersServeSideBySide() async throws {
        try await withTLSServer { _, plainPort, tlsPort in
            #expect(plainPort != tlsPort)
            let secure = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("worker"))
            try await secure.send(.echoReq, "over tls")
            #expect(try await secure.receivePacket() == Packet(.response, .echoRes, ["over tls"]))
            let plain = try await TestPeer(port: plainPort)
            try await plain.send(.echoReq, "in the clear")
            #expect(try await plain.receivePacket() == Packet(.response, .echoRes, ["in the clear"]))
        }
    }

    @Test func clientWithoutACertificateIsRefusedWhenACAIsGiven() async throws {
        try await withTLSServer { _, _, tlsPort in
            let anonymous = try await TestPeer(port: tlsPort, tls: TLSFixtures.client(nil))
            try? await anonymous.send(.echoReq, "let me in")
            #expect(try await anonymous.isClosedByServer())
        }
    }

    @Test func certificateFromAnUntrustedCAIsRefused() async throws {
        try await withTLSServer { _, _, tlsPort in
            let rogue = try await TestPeer(port: tlsPort, tls: TLSFixtures.client("rogue"))
            try? await rogue.send(.echoReq, "let me in")
            #expect(try await rogue.isClosedByServer())
        }
    }

    @Test func withoutACAClientsNeedNoCertificate() async throws {
        try await withTLSServer(requireClientCertificates: false) { _, _, tlsPort in
            let anonymous = try await TestPeer(port: tlsPort, tls: TLSFixtures.client(nil))
            try await anonymous.send(.echoReq, "hello")
            #expect(try await anonymous.receivePacket() == Packet(.response, .echoRes, ["hello"]))
        }
    }

    @Test func plainBytesOnTheTLSPortAreRefused() async throws {
        try await withTLSServer { _, plainPort, tlsPort in
            let confused = try await TestPeer(port: tlsPort)
            try? await confused.send(.echoReq, "plain")
            #expect(try await confused.isClosedByServer())
            let bystander = try await TestPeer(port: plainPort)
            try await bystander.send(.echoReq, "fine")
            #expect(try await bystander.receivePacket().type == .echoRes)
        }
    }

    @Test func subjectIsTheLastCommonNameOfTheCertificate() throws {
        for subject in ["worker", "client", "admin"] {
            let certificate = try NIOSSLCertificate.fromPEMFile(TLSFixtures.path("\(subject).pem"))[0]
            #expect(CertificateSubject.commonName(of: certificate) == subject)
        }
        #expect(try CertificateSubject.commonName(fromDER: [0x30, 0x00]) == nil)
        #expect(throws: (any Error).self) { try CertificateSubject.commonName(fromDER: [0x30, 0x05, 0x01]) }
    }

    @Test func pythonGearWorkerAndClientOverTLS() async throws {
        try await withTLSServer { _, _, tlsPort in
            let outcome = try await ExternalProcess.python(
                "gear_roundtrip.py",
                ["\(tlsPort)", "reverse", TLSFixtures.path("worker-key.pem"), TLSFixtures.path("worker.pem"), TLSFixtures.path("ca.pem")]
            )
            #expect(outcome.status == 0, "\(outcome.output)")
        }
    }
}
