import GearmanProtocol
import NIOCore

extension Scheduler {
    /// Acts on one frame from a peer: a packet or an admin line.
    func receive(_ frame: Frame, from connection: ServerConnection) {
        switch frame {
        case .packet(let packet): handle(packet, from: connection)
        case .adminLine(let line): handleAdmin(line, from: connection)
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
