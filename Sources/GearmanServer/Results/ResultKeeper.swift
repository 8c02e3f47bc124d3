import Foundation
import GearmanProtocol
import Logging
import NIOCore

/// Keeps the final outcome of background jobs for ``ServerConfiguration/keepResults``: in the queue store when
/// it is a ``ResultStore`` (committed with the job's removal), else in memory. Confined to the scheduler's loop.
///
/// Expired results are never returned, whether or not a prune has deleted them yet.
final class ResultKeeper: @unchecked Sendable {
    /// What a lookup found.
    enum Found: Sendable {
        case result(StoredResult)
        /// The queue store holds the job unfinished: another server sharing it has it queued or running.
        case unfinished(function: ByteBuffer)
        case nothing
    }

    /// Milliseconds a result stays readable.
    private let retention: Int64
    private let clock: @Sendable () -> Date
    private let loop: EventLoop
    private let durable: DurableQueue?
    private let store: ResultStore?
    /// Every result, when there is no result store.
    private var inMemory: [UInt64: StoredResult] = [:]

    init(retention: TimeAmount, clock: @escaping @Sendable () -> Date, loop: EventLoop, durable: DurableQueue?, logger: Logger) {
        self.retention = retention.nanoseconds / 1_000_000
        self.clock = clock
        self.loop = loop
        store = durable?.store as? ResultStore
        self.durable = store == nil ? nil : durable
        if let durable, store == nil {
            logger.warning("the queue store cannot keep results; they are kept in memory", metadata: ["store": "\(durable.store.description)"])
        }
    }

    /// How often expired results are deleted: a minute, or the retention when shorter.
    var pruneInterval: TimeAmount { .milliseconds(min(max(retention, 1000), 60_000)) }

    private var now: Int64 { Int64((clock().timeIntervalSince1970 * 1000).rounded(.down)) }

    func keep(id: UInt64, handle: ByteBuffer, function: ByteBuffer, unique: ByteBuffer, _ status: JobResultLine.Status, data: ByteBuffer) {
        let now = self.now
        // Compact copies: a job's handle and unique id share one allocation with its payload.
        let result = StoredResult(
            id: id, handle: handle.compactCopy(), function: function, unique: unique.compactCopy(), status: status,
            data: data.compactCopy(), finishedAt: now, expiresAt: now + retention
        )
        if let durable {
            durable.keep(result)
        } else {
            inMemory[id] = result
        }
    }

    /// The unexpired result of job `id`, read from the store unless it is still on its way there.
    func find(id: UInt64) -> EventLoopFuture<Found> {
        let now = self.now
        guard let durable, let store else {
            return loop.makeSucceededFuture(inMemory[id].flatMap { $0.expiresAt > now ? .result($0) : nil } ?? .nothing)
        }
        if let result = durable.uncommittedResults[id], result.expiresAt > now {
            return loop.makeSucceededFuture(.result(result))
        }
        return durable.onStoreThread {
            if let result = try store.result(id: id, at: now) { return .result(result) }
            return try store.unfinishedJobFunction(id: id).map { .unfinished(function: $0) } ?? .nothing
        }
    }

    /// Deletes the expired results; returns how many.
    func prune() -> EventLoopFuture<Int> {
        let now = self.now
        guard let durable, let store else {
            let before = inMemory.count
            inMemory = inMemory.filter { $0.value.expiresAt > now }
            return loop.makeSucceededFuture(before - inMemory.count)
        }
        return durable.onStoreThread { try store.pruneResults(at: now) }
    }
}
