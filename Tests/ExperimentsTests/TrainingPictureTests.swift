import Foundation
import LinearAlgebra
import NeuralNet
import Plot
import RegionAnalysis
import Testing
@testable import Experiments

/// The main job's training pictures: snapshots, their counts, their colours and their figures.
@Suite(.serialized) struct TrainingPictureTests {
    /// A small trained run (width 8, seed 0) with snapshots every 10 epochs.
    static let trained = smallRun(width: 8)

    /// A run of the main job at `width` (seed 0) on a small grid, with snapshots every 10 epochs.
    static func smallRun(width: Int) -> XORExperimentResult { smallXORRun(width: width) }

    /// Snapshots at the notebook's redraw points; each snapshot's exact count is the count of the snapshot net,
    /// checked against the independent arrangement formula 1 + L + I for one hidden layer; the last snapshot is
    /// the trained net, with its final loss.
    @Test func snapshotsCountTheSnapshotNets() throws {
        for net in [Self.trained.a, Self.trained.b] {
            let training = try #require(net.training)
            #expect(net.snapshots.map(\.epoch) == Array(stride(from: 0, through: 100, by: 10)))
            for snapshot in net.snapshots {
                let exact = try #require(snapshot.exact)
                #expect(exact.count == arrangementRegionCount(snapshot.network.layers[0]), "epoch \(snapshot.epoch)")
                #expect(exact.count == ExactPartition(network: snapshot.network).count)
            }
            #expect(net.snapshots.last?.network == net.network)
            #expect(net.snapshots.last?.loss == training.lossHistory.last)
            #expect(net.snapshots.last?.accuracy == training.accuracy)
            #expect(net.snapshots.last?.probeRegions == net.regions.count)
            #expect(net.snapshots.last?.exact?.count == net.exactCounts?.exactRegions)
            // The initial net's loss is the MSE of an untrained net: above every later snapshot's here.
            #expect(net.snapshots[0].loss > net.snapshots.last!.loss)
        }
    }

    /// The report carries the snapshots under the names the issue gives, for trained nets only.
    @Test func reportCarriesTheSnapshots() throws {
        let report = Self.trained.report()
        let snapshots = try #require(report.networks[0].trainingSnapshots)
        #expect(snapshots.epochs.count == 11 && snapshots.exactRegions.count == 11 && snapshots.loss.count == 11)
        #expect(snapshots.exactRegions.last! == Self.trained.a.exactCounts?.exactRegions)
        let text = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any]
        let entry = try #require((text?["networks"] as? [[String: Any]])?.first?["trainingSnapshots"] as? [String: Any])
        for key in ["epochs", "exactRegions", "probeRegions", "loss", "accuracy", "localComplexity"] {
            #expect(entry[key] != nil, "\(key)")
        }
        #expect(fixtureResult.report().networks.allSatisfy { $0.trainingSnapshots == nil })
    }

    /// A region that survives from one snapshot to the next (the same activation pattern) keeps its colour, and
    /// within a snapshot distinct patterns get distinct keys.
    @Test func survivingRegionsKeepTheirColour() throws {
        for net in [Self.trained.a, Self.trained.b] {
            let keyed = net.snapshots.map { s in
                Dictionary(s.exact!.cells.map { ($0.pattern, TrainingFigures.patternKey($0.pattern)) },
                           uniquingKeysWith: { first, _ in first })
            }
            var survivors = 0
            for (before, after) in zip(keyed, keyed.dropFirst()) {
                for (pattern, key) in before {
                    guard let later = after[pattern] else { continue }
                    survivors += 1
                    #expect(TrainingFigures.patternColor(key) == TrainingFigures.patternColor(later))
                }
            }
            #expect(survivors > 0)
            for map in keyed { #expect(Set(map.values).count == map.count) }
        }
        // Neighbouring patterns (one unit apart) get visibly different hues most of the time.
        var generator = SeededGenerator(seed: 3)
        var close = 0
        for _ in 0..<1000 {
            let pattern = [UInt64.random(in: 0...UInt64.max, using: &generator)]
            let neighbour = [pattern[0] ^ (1 << UInt64.random(in: 0..<64, using: &generator))]
            let (a, b) = (TrainingFigures.patternColor(TrainingFigures.patternKey(pattern)),
                          TrainingFigures.patternColor(TrainingFigures.patternKey(neighbour)))
            if abs(a.red - b.red) + abs(a.green - b.green) + abs(a.blue - b.blue) < 0.05 { close += 1 }
        }
        #expect(close < 30, "\(close) of 1000 neighbouring patterns look alike")
    }

    /// Snapshots leave the training untouched: the same weights with and without them.
    @Test func snapshotsDoNotChangeTraining() throws {
        var settings = XORTrainingSettings(width: 5)
        var g1 = SeededGenerator(seed: 7, stream: 1), g2 = SeededGenerator(seed: 7, stream: 1)
        let with = try trainXOR(settings, using: &g1)
        settings.snapshotEvery = 0
        let without = try trainXOR(settings, using: &g2)
        #expect(with.network == without.network)
        #expect(without.snapshots.map(\.epoch) == [100])
        #expect(TrainingSnapshot<MLP>.epochs(of: 25, every: 10) == [0, 10, 20, 25])
    }

    @Test(arguments: ["training-steps-a", "regions-over-training"], ["notebook", "paper"])
    func figureMatchesItsSnapshot(_ name: String, _ style: String) throws {
        let figure = try #require(XORFigures.all(Self.trained).first { $0.name == name }?.make())
        if style == "paper" { (figure.width, figure.height) = (6.75, figure.height * 0.675) }
        expectFigureSnapshot(figure, named: name, style: style)
    }
}

extension TrainingPictureTests {
    /// Above 256 hidden units the snapshots keep probe counts only, even when the final nets are enumerated: no
    /// small multiples, null exact counts, the probes' grid recorded.
    @Test func wideNetsKeepProbeCountsOnly() throws {
        var settings = XORExperimentSettings()
        (settings.width, settings.grid, settings.exact, settings.convergenceGrids) = (300, 11, true, [5, 11])
        let result = try runXORExperiment(settings)
        #expect(result.a.exact != nil)
        #expect(result.a.snapshots.count == 11 && result.a.snapshots.allSatisfy { $0.exact == nil })
        #expect(XORFigures.trainingSteps(result.a) == nil)
        let report = try #require(result.report().networks[0].trainingSnapshots)
        #expect(report.exactRegions.allSatisfy { $0 == nil } && report.probeGrid == 11)
        #expect(report.probeRegions.last == result.a.regions.count)
    }

    /// In a paper's single column (3.25 × 2.4 in) the small multiples become three panels in a row and the curves
    /// keep their 2 × 2 grid with short titles; both snapshotted.
    @Test(arguments: ["training-steps-a", "regions-over-training"])
    func aSingleColumnGetsItsOwnLayout(_ name: String) throws {
        let figure = try #require(XORFigures.all(Self.trained).first { $0.name == name }?.make())
        figure.style = .paper
        (figure.width, figure.height) = (3.25, 2.4)
        if let failure = snapshotFigure(figure, named: "paper-narrow." + name) {
            Issue.record(Comment(rawValue: failure))
        }
        #expect(figure.panels.count == (name == "training-steps-a" ? 3 : 4))
    }
}

/// A digits classifier's snapshots on the plane through three test images: counts of the snapshot nets, the last one
/// the trained net, and the figure.
@Suite struct DigitsTrainingPictureTests {
    static let run: (snapshots: [DigitsSnapshot], trained: MLP, plane: SlicePlane) = {
        let (train, test) = try! DigitsData.load()
        let settings = ClassifierTrainingSettings(hidden: [12], epochs: 4, batchSize: 64, learningRate: 3e-3, seed: 0)
        let trained = ClassifierTraining.train(samples: train.samples, labels: train.labels, classes: 10,
                                               settings: settings, snapshotEvery: 2)
        let plane = try! SlicePlane(through: test.samples.row(0), test.samples.row(1), test.samples.row(2), size: 1.5)
        let snapshots = DigitsSnapshot.analyse(trained.snapshots, plane: plane, grid: 21, train: train.samples,
                                               radius: 0.1, context: .allCores)
        return (snapshots, trained.network, plane)
    }()

    @Test func snapshotsAreTheTrainingRun() throws {
        let (snapshots, trained, plane) = Self.run
        #expect(snapshots.map(\.epoch) == [0, 2, 4])
        #expect(snapshots.last?.partition.count == SlicePartition(network: Network(trained), plane: plane).count)
        #expect(snapshots[0].loss > snapshots.last!.loss)
        #expect(snapshots.allSatisfy { $0.localComplexity >= 0 && $0.probeRegions >= 1 })
    }

    @Test(arguments: ["notebook", "paper"])
    func figureMatchesItsSnapshot(_ style: String) throws {
        let figure = try #require(DigitsFigures.trainingSteps(Self.run.snapshots, net: "a", rows: [0, 1, 2],
                                                               labels: [7, 6, 3]))
        if style == "paper" { (figure.width, figure.height) = (6.75, figure.height * 0.675) }
        expectFigureSnapshot(figure, named: "digits-training-steps", style: style)
    }
}

/// The local complexity against its closed form on one hidden layer: a unit's line crosses the ℓ₁ ball of radius
/// r around x exactly when |w·x + b| < r ‖w‖∞.
@Suite struct LocalComplexityTests {
    @Test(arguments: [1, 2, 5])
    func oneHiddenLayerMatchesTheClosedForm(inputs: Int) {
        var generator = SeededGenerator(seed: UInt64(inputs))
        let mlp = MLP(layerWidths: [inputs, 40, 3], using: &generator)
        let layer = mlp.layers[0]
        let rows = 200
        let points = (0..<(rows * inputs)).map { _ in Double.random(in: -1.5...1.5, using: &generator) }
        let radius = 0.2
        let counts = LocalComplexity.perPoint(Network(mlp), points: points, rows: rows, radius: radius)
        for r in 0..<rows {
            var expected = 0
            for u in 0..<layer.outputs {
                var value = layer.bias[u], largest = 0.0
                for i in 0..<inputs {
                    value += layer.weight[u, i] * points[r * inputs + i]
                    largest = max(largest, abs(layer.weight[u, i]))
                }
                if abs(value) < radius * largest { expected += 1 }
            }
            #expect(counts[r] == expected, "point \(r)")
        }
        #expect(LocalComplexity.mean(Network(mlp), points: points, rows: rows, radius: radius)
                == Double(counts.reduce(0, +)) / Double(rows))
    }

    /// A deeper unit counts when its state changes between the neighbourhood's vertices: a hand-built two-layer
    /// net on one input, whose second-layer unit relu(x₁ − 0.5) switches at x = 0.5 only.
    @Test func deepUnitsCountAtTheirOwnBoundary() throws {
        let mlp = MLP(layers: [Dense(weight: Matrix([[1]]), bias: [0]), Dense(weight: Matrix([[1]]), bias: [-0.5]),
                               Dense(weight: Matrix([[1]]), bias: [0])])
        let counts = LocalComplexity.perPoint(Network(mlp), points: [0.05, 0.45, 0.55, 1], rows: 4, radius: 0.1)
        #expect(counts == [1, 1, 1, 0])
    }
}
