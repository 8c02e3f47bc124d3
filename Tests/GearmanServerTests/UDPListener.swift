import NIOCore
import NIOPosix

/// A statsd stand-in: a UDP socket on a free loopback port that collects the lines of every datagram.
final class UDPListener: Sendable {
    struct TimedOut: Error {
        let seen: [String]
    }

    private final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let continuation: AsyncStream<String>.Continuation
        init(_ continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            for line in String(buffer: unwrapInboundIn(data).data).split(separator: "\n") { continuation.yield(String(line)) }
        }
    }

    private final class Lines: @unchecked Sendable {
        // Only one test task reads at a time.
        var iterator: AsyncStream<String>.AsyncIterator
        var seen: [String] = []
        init(_ stream: AsyncStream<String>) { iterator = stream.makeAsyncIterator() }
    }

    private let channel: Channel
    private let lines: Lines

    var port: Int { channel.localAddress!.port! }

    init() async throws {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        lines = Lines(stream)
        channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Collector(continuation)) }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    /// Reads lines until every predicate matched one of the lines received so far; all lines seen are returned.
    @discardableResult
    func waitFor(_ predicates: [@Sendable (String) -> Bool], timeout: Duration = .seconds(10)) async throws -> [String] {
        let lines = self.lines
        return try await withThrowingTaskGroup(of: [String].self) { group in
            group.addTask {
                while !predicates.allSatisfy({ predicate in lines.seen.contains(where: predicate) }) {
                    guard let line = await lines.iterator.next() else { break }
                    lines.seen.append(line)
                }
                return lines.seen
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw TimedOut(seen: lines.seen)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    func close() async {
        try? await channel.close()
    }
}
