import Foundation

/// One JSON line printed by a peer client (see Peers/README.md). Payload fields are hex.
struct PeerResult: Decodable, Sendable {
    var result: String?
    var data: String?
    var chunks: [String]?
    var statuses: [String]?
    var handle: String?
    var query: String?
    var known: Bool?
    var running: Bool?
    var numerator: Int?
    var denominator: Int?
    var size: Int?
    var match: Bool?
    var count: Int?

    /// `data` decoded from hex.
    var bytes: [UInt8]? { data.map(Hex.decode) }
    /// `data` decoded from hex as UTF-8 text.
    var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    /// `chunks` (WORK_DATA payloads) as UTF-8 text.
    var chunkTexts: [String]? { chunks?.map { String(decoding: Hex.decode($0), as: UTF8.self) } }
}

enum Hex {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func encode(_ text: String) -> String {
        encode(Array(text.utf8))
    }

    static func decode(_ hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex), index != hex.endIndex {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }
}
