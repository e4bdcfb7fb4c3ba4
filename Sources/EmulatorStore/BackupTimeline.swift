/// The stages a product's backup task passes through, each starting at a fraction of the task's duration.
/// A task's state is derived from its start, its duration, its scripted outcome and the clock; never
/// from timers.
public struct TaskStages: Sendable {
    public let stages: [(name: String, start: Double)]

    public init(_ stages: [(name: String, start: Double)]) {
        self.stages = stages
    }

    public var names: [String] { stages.map(\.name) }

    func start(of stage: String) -> Double? { stages.first { $0.name == stage }?.start }

    /// When a task that runs `duration` reaches `stage`, after its start (no hold before it).
    public func offset(of stage: String, duration: Int64) -> Int64? {
        start(of: stage).map { Int64((Double(duration) * $0).rounded()) }
    }
}

/// Where a task is at one instant.
public struct TaskState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        case running(stage: String)
        case finished
        /// Failed on reaching `stage`.
        case failed(stage: String)
    }

    public var phase: Phase
    /// 0–100: how much of the work is done.
    public var percent: Int

    public var isRunning: Bool {
        if case .running = phase { return true }
        return false
    }
}

extension BackupRecord {
    /// When a task accepted at `start` ends, given its outcome: later by the length of a hold, earlier
    /// when it fails. `CreateBackup` stores this, so "a task in progress" is one indexed query.
    public static func finishTime(start: Int64, duration: Int64, outcome: BackupOutcome, stages: TaskStages) -> Int64 {
        let pause = holdPause(start: start, duration: duration, outcome: outcome, stages: stages)
        guard let failing = outcome.failStage, let fraction = stages.start(of: failing) else {
            return start + duration + pause
        }
        let failPoint = Int64((Double(duration) * fraction).rounded())
        let holdPoint = outcome.holdStage.flatMap(stages.start).map { Int64((Double(duration) * $0).rounded()) }
        return start + failPoint + ((holdPoint ?? Int64.max) <= failPoint ? pause : 0)
    }

    /// The task's state at `now`.
    public func state(at now: Int64, stages: TaskStages) -> TaskState {
        let pause = Self.holdPause(start: startedAt, duration: duration, outcome: outcome, stages: stages)
        let holdStart = outcome.holdStage.flatMap(stages.start).map { startedAt + Int64((Double(duration) * $0).rounded()) }
        // Time spent on the work, the hold taken out.
        var elapsed = max(0, now - startedAt)
        if let holdStart, pause > 0, now >= holdStart {
            elapsed = now < holdStart + pause ? holdStart - startedAt : elapsed - pause
        }
        if let failing = outcome.failStage, let fraction = stages.start(of: failing),
            elapsed >= Int64((Double(duration) * fraction).rounded())
        {
            return TaskState(phase: .failed(stage: failing), percent: Int(fraction * 100))
        }
        if elapsed >= duration { return TaskState(phase: .finished, percent: 100) }
        let fraction = Double(elapsed) / Double(duration)
        let stage = stages.stages.last { $0.start <= fraction }?.name ?? stages.stages[0].name
        return TaskState(phase: .running(stage: stage), percent: min(99, Int(fraction * 100)))
    }

    /// How long a hold stops the task: from the moment it reaches the held stage until the hold's end.
    static func holdPause(start: Int64, duration: Int64, outcome: BackupOutcome, stages: TaskStages) -> Int64 {
        guard let held = outcome.holdStage, let until = outcome.holdUntil, let fraction = stages.start(of: held) else {
            return 0
        }
        return max(0, until - (start + Int64((Double(duration) * fraction).rounded())))
    }
}

/// Plausible, stable backup sizes: a snapshot is large, a physical backup grows with the databases,
/// a logical one is small; the sequence number varies them a little.
public enum BackupSizes {
    public static func bytes(method: String, databases: Int, sequence: Int64) -> Int64 {
        let mebibyte: Int64 = 1 << 20
        let base: Int64 =
            switch method {
            case "Snapshot": 1024 * mebibyte
            case "Logical": 16 * mebibyte * Int64(max(1, databases))
            default: 128 * mebibyte + 32 * mebibyte * Int64(databases)
            }
        return base + (sequence % 7) * mebibyte
    }
}

