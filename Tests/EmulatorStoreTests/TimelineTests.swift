import Testing

@testable import EmulatorStore

@Suite struct TimelineTests {
    let stages = TaskStages([("A", 0), ("B", 0.3), ("C", 0.5), ("D", 0.9)])

    func backup(_ outcome: BackupOutcome = BackupOutcome(), duration: Int64 = 10_000) -> BackupRecord {
        let finish = BackupRecord.finishTime(start: 0, duration: duration, outcome: outcome, stages: stages)
        return BackupRecord(
            product: .rds, instanceId: "i", accountId: "a", method: "Physical", backupType: "Auto", startedAt: 0,
            finishesAt: finish, duration: duration, outcome: outcome)
    }

    @Test func passesThroughEveryStageThenFinishes() {
        let task = backup()
        #expect(task.finishesAt == 10_000)
        #expect(task.state(at: 0, stages: stages) == TaskState(phase: .running(stage: "A"), percent: 0))
        #expect(task.state(at: 2_999, stages: stages) == TaskState(phase: .running(stage: "A"), percent: 29))
        #expect(task.state(at: 3_000, stages: stages) == TaskState(phase: .running(stage: "B"), percent: 30))
        #expect(task.state(at: 5_000, stages: stages).phase == .running(stage: "C"))
        #expect(task.state(at: 9_999, stages: stages) == TaskState(phase: .running(stage: "D"), percent: 99))
        #expect(task.state(at: 10_000, stages: stages) == TaskState(phase: .finished, percent: 100))
        #expect(task.state(at: -5, stages: stages).phase == .running(stage: "A"))
    }

    @Test func aZeroDurationFinishesAtOnce() {
        #expect(backup(duration: 0).state(at: 0, stages: stages).phase == .finished)
        #expect(backup(BackupOutcome(failStage: "A"), duration: 0).state(at: 0, stages: stages).phase == .failed(stage: "A"))
    }

    @Test(arguments: [("A", Int64(0)), ("B", 3_000), ("C", 5_000), ("D", 9_000)])
    func failsOnReachingTheScriptedStage(_ stage: String, at failTime: Int64) {
        let task = backup(BackupOutcome(failStage: stage))
        #expect(task.finishesAt == failTime)
        #expect(task.state(at: failTime, stages: stages).phase == .failed(stage: stage))
        #expect(task.state(at: 1_000_000, stages: stages).phase == .failed(stage: stage))
        if failTime > 0 { #expect(task.state(at: failTime - 1, stages: stages).isRunning) }
    }

    @Test func holdsAtAStageUntilTheTimeComes() {
        let task = backup(BackupOutcome(holdStage: "C", holdUntil: 60_000))
        #expect(task.finishesAt == 65_000)  // 10 s of work + 55 s held
        #expect(task.state(at: 5_000, stages: stages) == TaskState(phase: .running(stage: "C"), percent: 50))
        #expect(task.state(at: 59_999, stages: stages) == TaskState(phase: .running(stage: "C"), percent: 50))
        #expect(task.state(at: 62_000, stages: stages) == TaskState(phase: .running(stage: "C"), percent: 70))
        #expect(task.state(at: 64_000, stages: stages).phase == .running(stage: "D"))
        #expect(task.state(at: 65_000, stages: stages).phase == .finished)
    }

    @Test func aHoldThatEndsBeforeTheStageChangesNothing() {
        let task = backup(BackupOutcome(holdStage: "D", holdUntil: 2_000))
        #expect(task.finishesAt == 10_000)
        #expect(task.state(at: 9_500, stages: stages).phase == .running(stage: "D"))
    }

    @Test func aHoldBeforeAFailureDelaysIt() {
        let task = backup(BackupOutcome(failStage: "D", holdStage: "B", holdUntil: 20_000))
        #expect(task.finishesAt == 26_000)  // held at 3 s until 20 s, then 6 s more to reach D
        #expect(task.state(at: 25_999, stages: stages).phase == .running(stage: "C"))
        #expect(task.state(at: 26_000, stages: stages).phase == .failed(stage: "D"))
    }
}
