import Testing
@testable import Experiments

@Suite struct BatchPlanning {
    @Test func listsAndRanges() throws {
        #expect(try BatchPlan.parseSeeds("0-3,7") == [0, 1, 2, 3, 7])
        #expect(try BatchPlan.parseSeeds("5, 5, 2") == [5, 2])
        #expect(try BatchPlan.parseWidths("2,20,100") == [2, 20, 100])
        #expect(throws: BatchSpecificationError.self) { try BatchPlan.parseSeeds("3-1") }
        #expect(throws: BatchSpecificationError.self) { try BatchPlan.parseSeeds("a") }
        #expect(throws: BatchSpecificationError.self) { try BatchPlan.parseWidths("0,2") }
        #expect(throws: BatchSpecificationError.self) { try BatchPlan.parseWidths("") }
    }

    @Test func shardsPartitionTheSweep() throws {
        let full = BatchPlan(widths: [2, 20, 100], seeds: Array(0...9))
        #expect(full.runs.count == 30)
        #expect(full.runs.prefix(2) == [BatchRun(width: 2, seed: 0), BatchRun(width: 2, seed: 1)])
        for n in [1, 2, 3, 7, 8, 31] {
            let shards = (1...n).map { BatchPlan(widths: full.widths, seeds: full.seeds, shard: ($0, n)).runs }
            // Disjoint, and together the whole sweep.
            #expect(shards.reduce(0) { $0 + $1.count } == 30)
            #expect(Set(shards.flatMap { $0 }) == Set(full.runs))
        }
        // Every n-th starting at the i-th.
        #expect(BatchPlan(widths: [2, 20, 100], seeds: Array(0...9), shard: (3, 8)).runs.map(\.folderName)
                == ["width-2-seed-2", "width-20-seed-0", "width-20-seed-8", "width-100-seed-6"])
        #expect(try BatchPlan.parseShard("3/8") == (3, 8))
        #expect(throws: BatchSpecificationError.self) { try BatchPlan.parseShard("0/8") }
        #expect(throws: BatchSpecificationError.self) { try BatchPlan.parseShard("9/8") }
    }

    @Test func slurmArrayPicksTheShard() throws {
        let env = ["SLURM_ARRAY_TASK_ID": "12", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "8"]
        let shard = try #require(try BatchPlan.slurmShard(env))
        #expect(shard == (3, 8))
        #expect(try BatchPlan.slurmShard(["SLURM_ARRAY_TASK_ID": "1"]) == nil)
        #expect(throws: BatchSpecificationError.self) {
            try BatchPlan.slurmShard(["SLURM_ARRAY_TASK_ID": "20", "SLURM_ARRAY_TASK_MIN": "10", "SLURM_ARRAY_TASK_COUNT": "8"])
        }
    }
}
