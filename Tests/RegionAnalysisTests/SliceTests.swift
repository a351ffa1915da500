import Foundation
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// The test fixtures of NeuralNetTests: ONNX models, the shared digits examples, Regioncam's slice counts.
let sliceFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("NeuralNetTests/Fixtures")

/// A model and three rows of a data file, as a network and the plane through them.
func slice(model: String, data: String?, rows: [Int]?, size: Double = 1.5) throws -> (Network, SlicePlane) {
    let network = try ModelFile.read(path: sliceFixtures.appendingPathComponent(model).path)
    guard let data, let rows else { return (network, try SlicePlane(inputPlaneOfSize: size)) }
    let x = try Numpy.read(path: sliceFixtures.appendingPathComponent(data).path).doubles
    let d = network.inputSize
    let p = rows.map { Array(x[($0 * d)..<(($0 + 1) * d)]) }
    return (network, try SlicePlane(through: p[0], p[1], p[2], size: size))
}

/// The independent checks of an exact partition: the cells tile the square; every cell's centroid, run through
/// the network's ordinary forward pass, has the cell's states and outputs; no two cells share states (a pattern's
/// region is convex, so one cell each); every grid probe's pattern is some cell's.
func checkIndependently(_ network: Network, _ plane: SlicePlane, _ p: SlicePartition, grid: Int) {
    let h = plane.halfWidth
    let total = p.cells.reduce(0) { $0 + $1.area }
    // Dropped slivers are under 1e-12 each; a few hundred of them are far below this.
    #expect(isApproximatelyEqual(total, 4 * h * h, absolute: 1e-9 * 4 * h * h))
    let centroids = p.cells.map(\.centroid)
    let input = centroids.flatMap { plane.point($0.x, $0.y) }
    let states = network.unitStates(input, rows: centroids.count)
    let outputs = network.forward(input, rows: centroids.count) as [Double]
    let units = network.nonlinearUnitCount, k = network.outputSize
    var stateMismatches = 0, worstOutput = 0.0
    for (i, cell) in p.cells.enumerated() {
        if Array(states[(i * units)..<((i + 1) * units)]) != cell.states { stateMismatches += 1 }
        let mine = cell.outputs(at: centroids[i])
        let theirs = Array(outputs[(i * k)..<((i + 1) * k)])
        let scale = max(1, theirs.map(abs).max()!)
        worstOutput = max(worstOutput, zip(mine, theirs).map { abs($0 - $1) }.max()! / scale)
    }
    #expect(stateMismatches == 0)
    // The forward pass and the carried maps differ only by rounding through a few layers.
    #expect(worstOutput < 1e-9)
    #expect(Set(p.cells.map(\.states)).count == p.count)
    // Decision pieces: their classes are the forward pass's argmax at their centroids, and they tile each cell.
    let pieces = p.cells.flatMap(\.decision)
    let pieceCentroids = pieces.map { polygonCentroid($0.vertices) }
    let pieceOutputs = network.forward(pieceCentroids.flatMap { plane.point($0.x, $0.y) }, rows: pieces.count)
        as [Double]
    var wrongClass = 0
    for (i, piece) in pieces.enumerated() {
        let logits = Array(pieceOutputs[(i * k)..<((i + 1) * k)])
        let predicted = k == 1 ? (logits[0] > 0 ? 1 : 0) : logits.indices.max { logits[$0] < logits[$1] }!
        if predicted != piece.predictedClass { wrongClass += 1 }
    }
    #expect(wrongClass == 0)
    let decisionArea = pieces.reduce(0) { $0 + polygonArea($1.vertices) }
    #expect(isApproximatelyEqual(decisionArea, total, absolute: 1e-9 * total))
    let probe = SliceProbe(network: network, plane: plane, resolution: grid)
    let cellStates = Set(p.cells.map(\.states))
    let w = probe.patterns.wordsPerPattern
    var outside = 0
    for id in 0..<probe.activationPatternCount {
        let words = probe.patterns.patterns
        let s = (0..<units).map { j in UInt8(truncatingIfNeeded: words[id * w + j / 8] >> UInt64(8 * (j % 8))) }
        if !cellStates.contains(s) { outside += 1 }
    }
    #expect(outside == 0)
    #expect(probe.activationPatternCount + probe.missed(by: p) == p.count)
}

@Suite struct Slices {
    @Test func planeFollowsRegioncam() throws {
        // Regioncam.through_points([[0,0,0],[1,0,0],[0,2,1]], size=1.5): origin (0.5, 1, 0.5), d2 = (0, 2, 1)/√5,
        // square ±1.6770511 (float32).
        let plane = try SlicePlane(through: [0, 0, 0], [1, 0, 0], [0, 2, 1])
        #expect(plane.origin.enumerated().allSatisfy { isApproximatelyEqual($0.element, [0.5, 1, 0.5][$0.offset], absolute: 1e-15) })
        #expect(plane.d1 == [1, 0, 0])
        #expect(isApproximatelyEqual(plane.d2[1], 2 / 5.0.squareRoot(), absolute: 1e-15) && isApproximatelyEqual(plane.d2[2], 1 / 5.0.squareRoot(), absolute: 1e-15))
        #expect(isApproximatelyEqual(plane.halfWidth, 1.5 * 5.0.squareRoot() / 2, absolute: 1e-14))
        #expect(isApproximatelyEqual(plane.halfWidth, 1.6770511, absolute: 1e-6))
        let back = plane.points2D.map { plane.point($0.x, $0.y) }
        for (q, p) in zip(back, [[0.0, 0, 0], [1, 0, 0], [0, 2, 1]]) {
            #expect(zip(q, p).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-14) })
        }
    }

    @Test func degeneratePointsAreRefused() {
        #expect(throws: SliceError.self) { try SlicePlane(through: [1, 2], [1, 2], [0, 1]) }
        #expect(throws: SliceError.self) { try SlicePlane(through: [0, 0, 0], [1, 1, 1], [3, 3, 3]) }
        #expect(throws: SliceError.self) { try SlicePlane(through: [0, 0], [1, 0], [.nan, 1]) }
        #expect(throws: SliceError.self) { try SlicePlane(through: [0, 0], [1, 0], [0, 1], size: 0) }
    }

    struct RegioncamSlice: Decodable {
        var model: String, data: String?, rows: [Int]?, size: Double, regions: Int, regionsWithDecision: Int
    }

    static let regioncam: [RegioncamSlice] = {
        struct File: Decodable { var slices: [RegioncamSlice] }
        let url = sliceFixtures.appendingPathComponent("slices/regioncam_slices.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return []
        }
        return file.slices
    }()

    @Test func regioncamFixturesAreThere() { #expect(Self.regioncam.count >= 9) }

    /// Counts equal Regioncam's (scripts/make_slice_fixtures.py) on MLP, residual, LeakyReLU and 2-input slices.
    @Test(arguments: regioncam.indices)
    func countsEqualRegioncam(index: Int) throws {
        let r = Self.regioncam[index]
        let folder = r.model.hasPrefix("ex_") ? "examples/" : "onnx/"
        let (network, plane) = try slice(model: folder + r.model, data: r.data.map { folder + $0 }, rows: r.rows,
                                         size: r.size)
        let p = SlicePartition(network: network, plane: plane)
        #expect(p.count == r.regions, "\(r.model) rows \(r.rows ?? [])")
        #expect(p.decisionCount == r.regionsWithDecision, "\(r.model) rows \(r.rows ?? [])")
        #expect(isApproximatelyEqual(p.classAreas.reduce(0, +), 1, absolute: 1e-9))
        checkIndependently(network, plane, p, grid: 60)
    }

    /// The slices of the PReLU and grouped/depthwise fixtures have the NumPy float64 splitter's count
    /// (scripts/make_operator_slice_counts.py, which cuts at PReLU's zero lines and runs the torch modules' own
    /// grouped convolutions on the maps).
    @Test func operatorSlicesEqualTheNumPySplitter() throws {
        struct Entry: Decodable { var model: String, data: String, rows: [Int], size: Double, regions: Int }
        struct File: Decodable { var slices: [Entry] }
        let url = sliceFixtures.appendingPathComponent("slices/operator_numpy_counts.json")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        #expect(file.slices.count == 4)
        for e in file.slices {
            let (network, plane) = try slice(model: e.model, data: e.data, rows: e.rows, size: e.size)
            #expect(SlicePartition(network: network, plane: plane).count == e.regions, "\(e.model)")
        }
    }

    /// CNNs (convolution, max pooling, BatchNorm, ReLU6, LeakyReLU, average pooling, PReLU, grouped and depthwise
    /// convolution, `view(x.size(0), -1)`): the independent checks.
    @Test(arguments: [("examples/ex_cnn.onnx", "examples/digits_test_img.npy", 0.3),
                      ("onnx/cnn_bn_ts.onnx", "onnx/cnn_bn_x.npy", 1.5),
                      ("onnx/cnn_gap_ts.onnx", "onnx/cnn_gap_x.npy", 1.5),
                      ("onnx/normalised_cnn_dynamo.onnx", "onnx/normalised_cnn_x.npy", 1.5),
                      ("onnx/ops_prelu_ts.onnx", "onnx/ops_prelu_x.npy", 1.5),
                      ("onnx/ops_grouped_dynamo.onnx", "onnx/ops_grouped_x.npy", 1.5),
                      ("onnx/ops_view_ts.onnx", "onnx/ops_view_x.npy", 1.5)])
    func cnnSlicesPassTheIndependentChecks(model: String, data: String, size: Double) throws {
        let (network, plane) = try slice(model: model, data: data, rows: [0, 1, 2], size: size)
        let p = SlicePartition(network: network, plane: plane)
        #expect(p.count > 10)
        checkIndependently(network, plane, p, grid: 80)
    }

    @Test func serialAndParallelAgree() throws {
        let (network, plane) = try slice(model: "onnx/mlp_ts.onnx", data: "onnx/mlp_x.npy", rows: [0, 1, 2])
        let a = SlicePartition(network: network, plane: plane, context: .serial)
        let b = SlicePartition(network: network, plane: plane, context: ComputeContext(threads: 2))
        #expect(a.cells.map(\.states) == b.cells.map(\.states))
    }

    @Test func probeDeduplicationFollowsTheNotebook() {
        // 0 and 0.0009 are one region; 0.002 is another; the fourth is near the second only.
        let maps: [[Double]] = [[0, 0, 0, 0], [0, 0, 0, 0.0009], [0, 0, 0, 0.002], [0.0005, 0, 0, 0.0021]]
        #expect(SliceProbe.distinctMaps(maps, tolerance: 1e-3) == 2)
    }

    /// The probes' regions do not depend on the outputs' unit: a network whose outputs are divided by 2²⁰ finds the
    /// regions of the same network divided by a power of two that brings its maps below 1 (powers of two scale
    /// every map exactly), where the notebook's fixed 1e-3 would merge them all into one.
    @Test func probeToleranceFollowsTheOutputs() throws {
        let (network, plane) = try slice(model: "examples/ex_mlp.onnx", data: "examples/digits_test_x.npy",
                                         rows: [0, 1, 2])
        func divided(byPowerOfTwo k: Int) throws -> Network {
            var layers = network.layers
            guard case .dense(var d) = try #require(layers.last).operation else {
                Issue.record("the last layer is not dense")
                return network
            }
            let f = Double(sign: .plus, exponent: -k, significand: 1)
            d.weight.storage = d.weight.storage.map { $0 * f }
            d.bias = d.bias.map { $0 * f }
            layers[layers.count - 1].operation = .dense(d)
            return try Network(inputShape: network.inputShape, layers: layers)
        }
        let original = SliceProbe(network: network, plane: plane, resolution: 60)
        let largest = original.maps.flatMap { $0 }.map(abs).max() ?? 0
        var k = 0
        while largest * Double(sign: .plus, exponent: -k, significand: 1) >= 1 { k += 1 }
        let belowOne = SliceProbe(network: try divided(byPowerOfTwo: k), plane: plane, resolution: 60)
        let tiny = SliceProbe(network: try divided(byPowerOfTwo: k + 20), plane: plane, resolution: 60)
        #expect(tiny.regionCount == belowOne.regionCount)
        #expect(tiny.regionCount > 10)
        #expect(tiny.tolerance == belowOne.tolerance / 1_048_576)
        #expect(SliceProbe.distinctMaps(tiny.maps, tolerance: SliceProbe.notebookTolerance) == 1)
        // Maps that reach 1 keep the notebook's tolerance.
        if largest >= 1 { #expect(original.tolerance == SliceProbe.notebookTolerance) }
    }
}
