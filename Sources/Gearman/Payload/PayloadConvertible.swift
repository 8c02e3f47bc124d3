import Foundation
import NIOCore

/// A value that travels as a job's opaque bytes: `ByteBuffer`, `String`, `Data` and `[UInt8]` out of the box.
///
/// ```swift
/// let job = try await client.submit("reverse", payload: "hello")
/// let reversed = try await job.result(as: String.self)
/// ```
public protocol PayloadConvertible: Sendable {
    /// Creates the value from payload bytes.
    init(payload: ByteBuffer) throws
    /// The value's payload bytes.
    var payload: ByteBuffer { get }
}

extension ByteBuffer: PayloadConvertible {
    public init(payload: ByteBuffer) { self = payload }
    public var payload: ByteBuffer { self }
}

extension String: PayloadConvertible {
    public init(payload: ByteBuffer) { self.init(buffer: payload) }
    public var payload: ByteBuffer { ByteBuffer(string: self) }
}

extension Data: PayloadConvertible {
    public init(payload: ByteBuffer) { self.init(payload.readableBytesView) }
    public var payload: ByteBuffer { ByteBuffer(data: self) }
}

extension Array: PayloadConvertible where Element == UInt8 {
    public init(payload: ByteBuffer) { self.init(payload.readableBytesView) }
    public var payload: ByteBuffer { ByteBuffer(bytes: self) }
}
