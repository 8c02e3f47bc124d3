/// The type of a binary Gearman packet, as numbered by the protocol (1–42).
public enum PacketType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case canDo = 1
    case cantDo = 2
    case resetAbilities = 3
    case preSleep = 4
    case noop = 6
    case submitJob = 7
    case jobCreated = 8
    case grabJob = 9
    case noJob = 10
    case jobAssign = 11
    case workStatus = 12
    case workComplete = 13
    case workFail = 14
    case getStatus = 15
    case echoReq = 16
    case echoRes = 17
    case submitJobBackground = 18
    case error = 19
    case statusRes = 20
    case submitJobHigh = 21
    case setClientID = 22
    case canDoTimeout = 23
    case allYours = 24
    case workException = 25
    case optionReq = 26
    case optionRes = 27
    case workData = 28
    case workWarning = 29
    case grabJobUniq = 30
    case jobAssignUniq = 31
    case submitJobHighBackground = 32
    case submitJobLow = 33
    case submitJobLowBackground = 34
    case submitJobSched = 35
    case submitJobEpoch = 36
    case submitReduceJob = 37
    case submitReduceJobBackground = 38
    case grabJobAll = 39
    case jobAssignAll = 40
    case getStatusUnique = 41
    case statusResUnique = 42

    /// The protocol's name for the type, e.g. `SUBMIT_JOB_BG`.
    public var name: String { Self.names[Int(rawValue)] }

    public var description: String { name }

    /// How many NUL-separated arguments a packet of this type carries.
    public var argumentCount: Int { Int(Self.layout[Int(rawValue)].count) }

    /// Whether the last argument is opaque data that may itself contain NUL bytes.
    public var lastArgumentIsData: Bool { Self.layout[Int(rawValue)].data }

    private static let names: [String] = [
        "", "CAN_DO", "CANT_DO", "RESET_ABILITIES", "PRE_SLEEP", "", "NOOP", "SUBMIT_JOB", "JOB_CREATED",
        "GRAB_JOB", "NO_JOB", "JOB_ASSIGN", "WORK_STATUS", "WORK_COMPLETE", "WORK_FAIL", "GET_STATUS",
        "ECHO_REQ", "ECHO_RES", "SUBMIT_JOB_BG", "ERROR", "STATUS_RES", "SUBMIT_JOB_HIGH", "SET_CLIENT_ID",
        "CAN_DO_TIMEOUT", "ALL_YOURS", "WORK_EXCEPTION", "OPTION_REQ", "OPTION_RES", "WORK_DATA",
        "WORK_WARNING", "GRAB_JOB_UNIQ", "JOB_ASSIGN_UNIQ", "SUBMIT_JOB_HIGH_BG", "SUBMIT_JOB_LOW",
        "SUBMIT_JOB_LOW_BG", "SUBMIT_JOB_SCHED", "SUBMIT_JOB_EPOCH", "SUBMIT_REDUCE_JOB",
        "SUBMIT_REDUCE_JOB_BACKGROUND", "GRAB_JOB_ALL", "JOB_ASSIGN_ALL", "GET_STATUS_UNIQUE",
        "STATUS_RES_UNIQUE",
    ]

    /// Argument count and whether the last argument is data, indexed by raw value (libgearman's table).
    private static let layout: [(count: UInt8, data: Bool)] = [
        (0, false),  // 0: unused
        (1, false), (1, false), (0, false), (0, false),  // CAN_DO, CANT_DO, RESET_ABILITIES, PRE_SLEEP
        (0, false),  // 5: unused
        (0, false), (3, true), (1, false), (0, false), (0, false),  // NOOP, SUBMIT_JOB, JOB_CREATED, GRAB_JOB, NO_JOB
        (3, true), (3, false), (2, true), (1, false), (1, false),  // JOB_ASSIGN, WORK_STATUS, WORK_COMPLETE, WORK_FAIL, GET_STATUS
        (1, true), (1, true), (3, true), (2, true), (5, false),  // ECHO_REQ, ECHO_RES, SUBMIT_JOB_BG, ERROR, STATUS_RES
        (3, true), (1, false), (2, false), (0, false), (2, true),  // SUBMIT_JOB_HIGH, SET_CLIENT_ID, CAN_DO_TIMEOUT, ALL_YOURS, WORK_EXCEPTION
        (1, false), (1, false), (2, true), (2, true), (0, false),  // OPTION_REQ, OPTION_RES, WORK_DATA, WORK_WARNING, GRAB_JOB_UNIQ
        (4, true), (3, true), (3, true), (3, true), (8, true),  // JOB_ASSIGN_UNIQ, SUBMIT_JOB_HIGH_BG, _LOW, _LOW_BG, _SCHED
        (4, true), (5, true), (5, true), (0, false), (5, true),  // SUBMIT_JOB_EPOCH, SUBMIT_REDUCE_JOB(_BACKGROUND), GRAB_JOB_ALL, JOB_ASSIGN_ALL
        (1, false), (6, false),  // GET_STATUS_UNIQUE, STATUS_RES_UNIQUE
    ]
}

/// Job precedence, as chosen by the submit packet type.
public enum JobPriority: Int, Sendable, CaseIterable, Comparable {
    case high = 0
    case normal = 1
    case low = 2

    public static func < (lhs: JobPriority, rhs: JobPriority) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The admin protocol's lower-case name.
    public var name: String {
        switch self {
        case .high: "high"
        case .normal: "normal"
        case .low: "low"
        }
    }
}

extension PacketType {
    /// For submit packets: whether the job runs in the background, and its priority. `nil` for other types.
    public var submitKind: (background: Bool, priority: JobPriority)? {
        switch self {
        case .submitJob, .submitReduceJob: (false, .normal)
        case .submitJobHigh: (false, .high)
        case .submitJobLow: (false, .low)
        case .submitJobBackground, .submitJobEpoch, .submitJobSched, .submitReduceJobBackground: (true, .normal)
        case .submitJobHighBackground: (true, .high)
        case .submitJobLowBackground: (true, .low)
        default: nil
        }
    }

    /// The submit packet type for a job with the given options.
    public static func submit(background: Bool, priority: JobPriority) -> PacketType {
        switch (background, priority) {
        case (false, .high): .submitJobHigh
        case (false, .normal): .submitJob
        case (false, .low): .submitJobLow
        case (true, .high): .submitJobHighBackground
        case (true, .normal): .submitJobBackground
        case (true, .low): .submitJobLowBackground
        }
    }
}
