import Foundation
import LinearAlgebra
@testable import NeuralNet
import Support
import Testing
@testable import Experiments

@Suite struct Grokking {
    func smallSettings() -> GrokkingSettings {
        var s = GrokkingSettings()
        s.p = 6
        s.trainCount = 16
        s.encoderWidth = 16
        s.decoderWidth = 16
        s.epochs = 300
        s.representationLearningRate = 1e-2
        s.decoderLearningRate = 1e-2
        s.seed = 1
        return s
    }

    @Test func datasetHasTheNotebooksShape() {
        var g = SeededGenerator(seed: 4)
        let data = GrokkingDataset(settings: GrokkingSettings(), using: &g)
        #expect(data.pairs.count == 55 && data.trainIndices.count == 45 && data.testIndices.count == 10)
        #expect(Set(data.trainIndices + data.testIndices).count == 55)
        #expect(data.inputTemplates.rows == 10 && data.inputTemplates.columns == 10)
        #expect(data.outputTemplates.rows == 19)
        // Parallelograms: Σ_s C(c_s, 2), c_s pairs i ≤ j with i + j = s.
        let counts = (0...18).map { s in (0..<10).filter { i in s - i >= i && s - i < 10 }.count }
        #expect(data.parallelograms.count == counts.reduce(0) { $0 + $1 * ($1 - 1) / 2 })
        #expect(data.parallelograms.allSatisfy { $0.0 + $0.1 == $0.2 + $0.3 })
        var modulo = GrokkingSettings()
        modulo.modulo = true
        var g2 = SeededGenerator(seed: 4)
        let mod = GrokkingDataset(settings: modulo, using: &g2)
        #expect(mod.outputTemplates.rows == 10 && mod.labels.allSatisfy { $0 < 10 })
    }

    @Test func rqiIsOneForAnArithmeticProgressionAndLowForNoise() {
        var g = SeededGenerator(seed: 4)
        let data = GrokkingDataset(settings: GrokkingSettings(), using: &g)
        // Any z_k = a + b k is a perfect representation of addition, whatever its scale.
        #expect(data.representationQuality(Matrix(rows: 10, columns: 1, storage: (0..<10).map { 3 + 0.2 * Double($0) })) == 1)
        let noise = Matrix(rows: 10, columns: 1, storage: (0..<10).map { _ in g.nextGaussian() })
        #expect(data.representationQuality(noise) < 0.5)
        // The threshold is on the std-normalised latents: 0.01 of a variance.
        var nearly = (0..<10).map(Double.init)
        nearly[9] += 0.2 * 3.03  // std of 0…9 is 3.03: a 0.2-σ error breaks every parallelogram with a 9 in it
        let broken = data.representationQuality(Matrix(rows: 10, columns: 1, storage: nearly))
        let withNine = data.parallelograms.filter { [$0.0, $0.1, $0.2, $0.3].filter { $0 == 9 }.count % 2 == 1 }.count
        #expect(isApproximatelyEqual(broken, Double(data.parallelograms.count - withNine) / Double(data.parallelograms.count), absolute: 1e-12))
    }

    @Test func nearestTemplateAccuracyCountsMatches() {
        var g = SeededGenerator(seed: 4)
        let data = GrokkingDataset(settings: GrokkingSettings(), using: &g)
        let indices = Array(data.testIndices.prefix(4))
        var outputs = data.targets(indices)
        #expect(data.nearestTemplateAccuracy(outputs, indices) == 1)
        // Move one output onto another template.
        let other = (data.labels[indices[0]] + 1) % data.outputTemplates.rows
        for c in 0..<outputs.columns { outputs[0, c] = data.outputTemplates[other, c] }
        #expect(data.nearestTemplateAccuracy(outputs, indices) == 0.75)
    }

    @Test func latentGradientIsTheChainRuleOfTheDecoder() {
        // ∂/∂z of mean((dec(z_i + z_j) − t)²) by finite differences in double precision.
        var g = SeededGenerator(seed: 2)
        let decoder = TanhMLP(layerWidths: [1, 8, 8, 3], using: &g)
        let pairs = [(0, 1), (1, 1), (2, 0), (3, 2), (1, 3)]
        let targets = Matrix(rows: pairs.count, columns: 3, storage: (0..<(pairs.count * 3)).map { _ in g.nextGaussian() })
        let latent = (0..<4).map { _ in g.nextGaussian() }
        func input(_ z: [Double]) -> Matrix { Matrix(rows: pairs.count, columns: 1, storage: pairs.map { z[$0.0] + z[$0.1] }) }
        func loss(_ z: [Double]) -> Double { MeanSquaredError.loss(prediction: decoder(input(z)), target: targets) }
        let cache = decoder.forwardWithCache(input(latent))
        let sumGradient = decoder.backward(cache, outputGradient: MeanSquaredError.gradient(prediction: cache.output, target: targets))[0].input
        var analytic = [Double](repeating: 7, count: 4)
        sumGradient.storage.withUnsafeBufferPointer {
            GrokkingExperiment.accumulateLatentGradient(sumGradient: $0.baseAddress!, pairs: pairs, dimension: 1, into: &analytic)
        }
        for k in 0..<4 {
            var plus = latent, minus = latent
            plus[k] += 1e-6
            minus[k] -= 1e-6
            #expect(isApproximatelyEqual((loss(plus) - loss(minus)) / 2e-6, analytic[k], absolute: 1e-8))
        }
    }

    @Test func runIsDeterministicAndLearnsTheTrainingSet() throws {
        let s = smallSettings()
        var logged: [Int] = []
        let a = try GrokkingExperiment.run(s) { epoch, _ in logged.append(epoch) }
        let b = try GrokkingExperiment.run(s)
        #expect(a.loss == b.loss && a.latent == b.latent)
        #expect(a.loss.count == 300 && a.rqi.count == 300 && logged == [0, 100, 200])
        #expect(a.loss.last! < 0.2 * a.loss.first!)
        #expect(a.firstTrain != nil)
        #expect(a.trainAccuracy.last! >= 0.9)
        // Never-reached thresholds fall back to the last epoch, as the notebook's iter_* do.
        if a.firstRQI == nil { #expect(a.iterRQI == 299) }
        #expect(a.latent.rows == 6 && a.latent.columns == 1)
    }

    @Test func encoderGradientModeTrainsTheEncoder() throws {
        var s = smallSettings()
        s.naturalGradient = false
        let run = try GrokkingExperiment.run(s)
        #expect(run.loss.last! < 0.5 * run.loss.first!)
    }

    @Test func divergenceIsAnError() {
        var s = smallSettings()
        s.decoderLearningRate = 1e30
        s.representationLearningRate = 1e30
        #expect(throws: GrokkingError.self) { try GrokkingExperiment.run(s) }
        var bad = smallSettings()
        bad.trainCount = 21
        #expect(throws: GrokkingError.self) { try GrokkingExperiment.run(bad) }
    }

    @Test func phasesFollowTheStatedRule() {
        #expect(GrokkingPhase.classify(firstTrain: nil, firstTest: nil, delay: 100) == .confusion)
        #expect(GrokkingPhase.classify(firstTrain: nil, firstTest: 5, delay: 100) == .confusion)
        #expect(GrokkingPhase.classify(firstTrain: 50, firstTest: nil, delay: 100) == .memorisation)
        #expect(GrokkingPhase.classify(firstTrain: 50, firstTest: 150, delay: 100) == .comprehension)
        #expect(GrokkingPhase.classify(firstTrain: 50, firstTest: 151, delay: 100) == .grokking)
        #expect(GrokkingPhase.classify(firstTrain: 50, firstTest: 20, delay: 100) == .comprehension)
        let grid = GrokkingPhaseDiagram.logGrid(from: 1e-5, to: 1e-2, count: 4)
        #expect(grid.count == 4 && isApproximatelyEqual(grid[1], 1e-4, absolute: 1e-18) && isApproximatelyEqual(grid[3], 1e-2, absolute: 1e-15))
    }

    /// A tiny model in which seeds disagree: with 20 of the 21 pairs for training, seed 2 comprehends (and stops
    /// early, at epochs 77–255) while seeds 0 and 1 memorise or stay confused.
    static func mixedPlan(_ kind: PhaseDiagramKind = .learningRates, epochs: Int = 300) -> PhaseDiagramPlan {
        var s = GrokkingSettings()
        (s.p, s.trainCount, s.encoderWidth, s.decoderWidth, s.epochs) = (6, 20, 16, 16, epochs)
        // The weight-decay diagram's fixed η₁: its weight decay 0 row is the learning-rate diagram's first row.
        s.representationLearningRate = 1e-2
        let rows = kind == .learningRates ? [1e-2, 3e-2] : [0, 0.1]
        return PhaseDiagramPlan(kind: kind, rows: rows, columns: [1e-2, 3e-2], seeds: [0, 1, 2], base: s)
    }

    /// Early stopping decides the same phase, at the same first epochs, as training every epoch.
    @Test func earlyStoppedRunsGetTheFullRunsPhase() throws {
        let plan = Self.mixedPlan()
        let outcome = try GrokkingPhaseDiagram.sweep([plan], delay: 30, context: ComputeContext(threads: 2))
        let cells = outcome.cells[0]
        #expect(cells.count == 4 && outcome.trained == 12 && outcome.reused == 0)
        var stoppedEarly = 0
        for cell in cells {
            for (run, phase) in zip(cell.runs, cell.phases) {
                let r = plan.rows.firstIndex(of: cell.representationLearningRate)!
                let c = plan.columns.firstIndex(of: cell.decoderLearningRate)!
                let full = try GrokkingExperiment.run(plan.settings(row: r, column: c, seed: UInt64(run.seed)))
                #expect(full.loss.count == 300)
                #expect(run.firstTrain == full.firstTrain && run.firstTest == full.firstTest)
                #expect(phase == GrokkingPhase.classify(firstTrain: full.firstTrain, firstTest: full.firstTest,
                                                        delay: 30))
                if run.epochsRun < 300 {
                    stoppedEarly += 1
                    #expect(run.epochsRun == max(full.firstTrain!, full.firstTest!) + 1)
                }
            }
        }
        // The comparison means something only if some runs did stop early, and the seeds disagree somewhere.
        #expect(stoppedEarly >= 2)
        #expect(cells.contains { Set($0.phases).count > 1 })
    }

    @Test func cellsCountSeedsAndTakeMedians() {
        func run(_ train: Int?, _ test: Int?) -> PhaseRun {
            PhaseRun(settings: GrokkingSettings(), epochsRun: 10, firstTrain: train, firstTest: test, firstRQI: nil,
                     failure: nil, seconds: 0)
        }
        // Phases with delay 10: comprehension, memorisation, grokking, memorisation, confusion.
        let cell = PhaseDiagramCell(representationLearningRate: 1, decoderLearningRate: 1, weightDecay: 0,
                                    runs: [run(5, 8), run(3, nil), run(7, 40), run(9, nil), run(nil, nil)], delay: 10)
        #expect(cell.phases == [.comprehension, .memorisation, .grokking, .memorisation, .confusion])
        #expect(cell.phase == .memorisation && cell.fraction(.memorisation) == 0.4 && cell.fraction(.grokking) == 0.2)
        // Train epochs 3, 5, 7, 9, never → median 7; test 8, 40, never ×3 → never.
        #expect(cell.medianFirstTrain == 7 && cell.medianFirstTest == nil)
        #expect(PhaseDiagramCell.median([4, 10]) == 7 && PhaseDiagramCell.median([4, nil]) == nil)
        #expect(PhaseDiagramCell.lowerMedian([4, 10]) == 4 && PhaseDiagramCell.lowerMedian([nil, 4, 10]) == 10)
        // A tie goes to the phase listed first.
        let tie = PhaseDiagramCell(representationLearningRate: 1, decoderLearningRate: 1, weightDecay: 0,
                                   runs: [run(nil, nil), run(5, 8)], delay: 10)
        #expect(tie.phase == .comprehension)
        // A diverged run is confusion.
        var failed = run(1, 2)
        failed.failure = "diverged"
        #expect(failed.phase(delay: 10) == .confusion)
    }

    /// A sweep killed part way leaves finished runs in runs/; the rerun trains only the rest and gets the same
    /// cells; a stored run made with other settings is retrained.
    @Test func aSweepResumesFromItsStoredRuns() throws {
        let folder = temporaryFolder() + "/runs"
        let store = try FinishedRuns<PhaseRun>(folder: folder)
        let plans = [Self.mixedPlan(epochs: 120), Self.mixedPlan(.weightDecay, epochs: 120)]
        let first = try GrokkingPhaseDiagram.sweep(plans, delay: 12, context: ComputeContext(threads: 2), store: store)
        // The two plans share the η₁ = 1e-2, weight decay 0 row: those runs are trained once.
        #expect(first.trained == 18 && first.reused == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count == 18)
        // As a kill would leave it: some records missing, one from a sweep with other settings.
        for name in files.prefix(5) { try FileManager.default.removeItem(atPath: folder + "/" + name) }
        var stale = try #require(store.record(named: String(files[5].dropLast(5))))
        stale.settings.epochs = 99
        stale.firstTrain = -1
        try store.save(stale, named: String(files[5].dropLast(5)))
        let second = try GrokkingPhaseDiagram.sweep(plans, delay: 12, context: ComputeContext(threads: 2), store: store)
        #expect(second.trained == 6 && second.reused == 12)
        for (a, b) in zip(first.cells.joined(), second.cells.joined()) {
            #expect(a.runs.map(\.firstTrain) == b.runs.map(\.firstTrain) && a.runs.map(\.firstTest) == b.runs.map(\.firstTest))
            #expect(a.phases == b.phases)
        }
        let third = try GrokkingPhaseDiagram.sweep(plans, delay: 12, context: ComputeContext(threads: 2), store: store)
        #expect(third.trained == 0 && third.reused == 18)
    }

    @Test func axisValuesAreParsedStrictly() throws {
        #expect(try PhaseDiagramPlan.parseValues("1e-5, 1e-4,3e-3", name: "--repr-lrs") == [1e-5, 1e-4, 3e-3])
        #expect(try PhaseDiagramPlan.parseValues("0,0.1", name: "--weight-decays", allowZero: true) == [0, 0.1])
        for bad in ["0", "-1e-3", "1e-3,,1e-2", "abc", "1e-3,1e-3", "inf"] {
            #expect(throws: BatchSpecificationError.self) { try PhaseDiagramPlan.parseValues(bad, name: "--repr-lrs") }
        }
    }
}

@Suite struct NeuralAccumulatorTasks {
    @Test func notebookOutcomesAreReproduced() throws {
        for var task in NACExperiment.notebookTasks {
            if task.name == "scaling" { task.hidden = 8 }
            let r = try NACExperiment.train(task, seed: 0)
            switch task.name {
            case "permutation": #expect(r.effectiveMatrix.maxAbsDifference(to: task.p) < 1e-3)
            default: #expect(r.finalMeanAbsError < 0.01, "\(task.name)")
            }
            #expect(r.loss.count == 10_000 && r.loss.last! < 1e-3 * r.loss.first!)
        }
    }
}

@Suite struct Circuits {
    @Test func shortRunsLearnAndAreDeterministic() {
        let add = CircuitsExperiment.circuits.first { $0.name == "add" }!
        let a = CircuitsExperiment.train(add, seed: 0, batches: 3000, learningRate: 1e-2, batchSize: 100)
        let b = CircuitsExperiment.train(add, seed: 0, batches: 3000, learningRate: 1e-2, batchSize: 100)
        #expect(a.finalLoss == b.finalLoss && a.network == b.network)
        #expect(a.testLoss.first!.1 > 10 * a.finalLoss)
        #expect(a.partition != nil && a.breakpoints == nil)
        // Bias-free: every region boundary passes through the origin, so regions are cones (at most 2 per unit line).
        #expect(a.partition!.count <= 4)
        let abs = CircuitsExperiment.circuits.first { $0.name == "abs" }!
        let r = CircuitsExperiment.train(abs, seed: 0, batches: 500, learningRate: 1e-2, batchSize: 50)
        #expect(r.breakpoints!.allSatisfy { Swift.abs($0) < 1e-12 })
    }

    @Test func targetsAreTheNotebooks() {
        let t = CircuitsExperiment.circuits.map { ($0.name, $0.target(0.25, -0.5)) }
        #expect(t.map(\.1) == [0.25, -0.25, 0.25, -0.25, 0.75, -0.5])
        #expect(CircuitsExperiment.circuits.map(\.layerSizes) == [[1, 2, 1], [1, 2, 1], [1, 2, 1], [2, 2, 1], [2, 2, 1], [2, 3, 2, 1]])
    }
}


/// The grokking run in the one experiment shape: the settings checked once, the report and figures from the result.
@Suite struct GrokkingAsAnExperiment {
    @Test func oneRunIsAnExperiment() throws {
        var training = Grokking().smallSettings()
        training.epochs = 20
        let experiment = GrokkingToyExperiment()
        let result = try experiment.run(GrokkingRunSettings(training: training), context: .serial)
        #expect(result.delay == 2, "a tenth of the epochs by default")
        #expect(experiment.figures(result, look: Look()).map(\.name) == ["accuracy", "loss", "representation"])
        let report = experiment.report(result, written: .none)
        #expect(try ReportEncoder.text(of: report) == ReportEncoder.text(of: GrokkingReport(result.run, delay: 2)))
        #expect(throws: InvalidSetting.self) {
            try experiment.run(GrokkingRunSettings(training: training, grokkingDelay: -1), context: .serial)
        }
    }
}
