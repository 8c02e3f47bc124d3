import Foundation
import NIOCore
import NIOFoundationCompat

/// Turns `Codable` values into payload bytes and back, like python-gearman's data encoders.
///
/// ```swift
/// struct Resize: Codable { var url: String; var width: Int }
/// let client = GearmanClient(servers: [server], configuration: .init(coder: JSONPayloadCoder()))
/// let job = try await client.submit("resize", encoding: Resize(url: u, width: 64))
/// let thumbnail: Thumbnail = try await job.decodedResult(as: Thumbnail.self)
/// ```
public protocol PayloadCoder: Sendable {
    func encode<Value: Encodable>(_ value: Value) throws -> ByteBuffer
    func decode<Value: Decodable>(_ type: Value.Type, from payload: ByteBuffer) throws -> Value
}

/// The default ``PayloadCoder``: JSON via Foundation.
public struct JSONPayloadCoder: PayloadCoder {
    public init() {}

    public func encode<Value: Encodable>(_ value: Value) throws -> ByteBuffer {
        ByteBuffer(data: try JSONEncoder().encode(value))
    }

    public func decode<Value: Decodable>(_ type: Value.Type, from payload: ByteBuffer) throws -> Value {
        try JSONDecoder().decode(type, from: payload)
    }
}
