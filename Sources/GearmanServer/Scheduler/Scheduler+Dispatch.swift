import GearmanProtocol
import NIOCore

extension Scheduler {
    /// Acts on one frame from a peer, or holds it while an earlier admin answer is pending (one that reads the
    /// queue store), so a peer gets its answers in the order it asked.
    func receive(_ frame: Frame, from connection: ServerConnection) {
        if connection.heldFrames != nil {
            guard connection.heldFrames!.count < Self.maximumHeldFrames else {
                sendError(connection, code: "QUEUE_ERROR", "too many requests while waiting for the queue store")
                return close(connection)
            }
            return connection.heldFrames!.append(frame)
        }
        switch frame {
        case .packet(let packet): handle(packet, from: connection)
        case .adminLine(let line): handleAdmin(line, from: connection)
        }
    }

    /// Frames a peer may send while an answer is pending; one that sends more is cut off.
    static let maximumHeldFrames = 10_000

    /// Sends `answer` once it is ready, holding the connection's later frames until then.
    func hold(_ connection: ServerConnection, until answer: EventLoopFuture<String>) {
        connection.heldFrames = []
        answer.whenComplete { [unowned self] result in
            sendText(connection, (try? result.get()) ?? Self.adminError("QUEUE_ERROR", "the queue store could not be read"))
            let frames = connection.heldFrames ?? []
            connection.heldFrames = nil
            // A frame that starts another wait holds the ones after it again.
            for frame in frames { receive(frame, from: connection) }
        }
    }

    /// Acts on one packet from a peer.
    func handle(_ packet: Packet, from connection: ServerConnection) {
        guard !connection.isClosed, isPermitted(packet, from: connection) else { return }
        let timing = metrics?.startPacket(packet.type)
        defer { timing?.finish() }
        let arguments = packet.arguments
        switch packet.type {
        case .submitJob, .submitJobBackground, .submitJobHigh, .submitJobHighBackground, .submitJobLow,
            .submitJobLowBackground, .submitJobEpoch, .submitJobSched, .submitReduceJob, .submitReduceJobBackground:
            submit(packet, from: connection)
        case .getStatus: sendStatus(ofHandle: arguments[0], to: connection)
        case .getStatusUnique: sendStatus(ofUnique: arguments[0], to: connection)
        case .optionReq: setOption(arguments[0], for: connection)
        case .echoReq: send(connection, .echoRes, arguments[0])
        case .setClientID: connection.clientID = arguments[0].string
        case .canDo: register(connection, function: arguments[0], timeoutSeconds: 0)
        case .canDoTimeout: register(connection, function: arguments[0], timeoutSeconds: Int(arguments[1].string) ?? 0)
        case .cantDo: unregister(connection, function: arguments[0])
        case .resetAbilities: removeAllAbilities(of: connection)
        case .preSleep: preSleep(connection)
        case .grabJob, .grabJobUniq, .grabJobAll: grab(for: connection, style: packet.type)
        case .workStatus, .workData, .workWarning, .workComplete, .workFail, .workException:
            workResult(packet, from: connection)
        case .allYours:
            break  // A hint without effect: the protocol defines no behaviour for it.
        case .noop, .jobCreated, .noJob, .jobAssign, .echoRes, .error, .statusRes, .optionRes, .jobAssignUniq,
            .jobAssignAll, .statusResUnique:
            sendError(connection, code: "INVALID_COMMAND", "\(packet.type.name) is a server response, not a request")
            close(connection)
        }
    }

    /// Sends what is pending, then closes the connection.
    func close(_ connection: ServerConnection) {
        let channel = connection.channel
        let pending = connection.output
        disconnected(connection)
        channel.writeAndFlush(pending).whenComplete { _ in channel.close(promise: nil) }
    }
}
