import Foundation
import LinearAlgebra
import NeuralNet
import Testing
@testable import RegionAnalysis

/// Uniform values in [lower, upper), from a seed.
private func uniformMatrix(rows: Int, columns: Int, seed: UInt64, lower: Double = -1, upper: Double = 1) -> Matrix {
    var g = SeededGenerator(seed: seed)
    var m = Matrix(rows: rows, columns: columns)
    for k in m.storage.indices { m.storage[k] = lower + (upper - lower) * g.nextUnit() }
    return m
}

/// A network with every operation kind the maps handle: per-channel scale/shift, convolution, LeakyReLU, max and
/// average pooling, a residual sum, clip, global average pooling, flatten and dense layers.
private func mixedNetwork(seed: UInt64) throws -> Network {
    var g = SeededGenerator(seed: seed)
    func values(_ n: Int, _ bound: Double) -> [Double] { (0..<n).map { _ in g.uniform(bound: bound) } }
    let conv1 = Convolution2D(weight: values(4 * 2 * 9, 0.5), bias: values(4, 0.2), outputChannels: 4,
                              inputChannels: 2, kernel: .square(3), padding: .uniform(1))
    let conv2 = Convolution2D(weight: values(4 * 4 * 9, 0.3), bias: values(4, 0.2), outputChannels: 4,
                              inputChannels: 4, kernel: .square(3), padding: .uniform(1))
    let pool = Pooling2D(kernel: .square(2), stride: .square(2))
    let average = Pooling2D(kernel: .square(3), stride: .square(1), padding: .uniform(1), countIncludesPadding: false)
    let dense1 = Dense(weight: Matrix(rows: 6, columns: 4 * 3 * 3, storage: values(6 * 36, 0.4)), bias: values(6, 0.3))
    let dense2 = Dense(weight: Matrix(rows: 3, columns: 6 + 0, storage: values(18, 0.5)), bias: values(3, 0.3))
    // Values: 0 input [2,6,6]; 1 scale; 2 conv1; 3 leaky; 4 conv2; 5 relu; 6 add(3,5); 7 maxPool [4,3,3];
    // 8 avgPool; 9 clip; 10 flatten; 11 dense; 12 relu; 13 dense.
    return try Network(inputShape: [2, 6, 6], layers: [
        .init(.scaleShift(ScaleShift(scale: [1.5, -0.5], shift: [0.1, 0.2]))),
        .init(.convolution(conv1)),
        .init(.leakyReLU(slope: 0.1)),
        .init(.convolution(conv2)),
        .init(.relu),
        .init(.add, inputs: [3, 5]),
        .init(.maxPool(pool)),
        .init(.averagePool(average)),
        .init(.clip(lower: -0.3, upper: 0.6)),
        .init(.reshape([36])),
        .init(.dense(dense1)),
        .init(.relu),
        .init(.dense(dense2)),
    ])
}

@Suite struct LocalAffineMapsTests {
    /// Central differences of the forward pass, step h, as the oracle for the Jacobian. Within a linear region the
    /// difference quotient is exact up to rounding (about 1e-16 / h relative); a sample whose region ends within h
    /// would differ by O(1), so the tolerance 1e-6 separates the two.
    func finiteDifferenceJacobian(_ network: Network, _ x: [Double], h: Double = 1e-7) -> Matrix {
        let d = x.count, c = network.outputSize
        var j = Matrix(rows: c, columns: d)
        for k in 0..<d {
            var plus = x, minus = x
            plus[k] += h
            minus[k] -= h
            let up = network.forward(Matrix(rows: 1, columns: d, storage: plus))
            let down = network.forward(Matrix(rows: 1, columns: d, storage: minus))
            for cls in 0..<c { j[cls, k] = (up[0, cls] - down[0, cls]) / (2 * h) }
        }
        return j
    }

    func check(_ network: Network, samples: Matrix, fdRows: Int) {
        let maps = LocalAffineMaps(network: network, samples: samples)
        let logits = network.forward(samples)
        #expect(maps.count == samples.rows && maps.outputs == network.outputSize)
        // J·x + b reproduces the independent forward pass (whose im2col convolution the maps do not share for
        // the offset rows' bias) to rounding: 1e-12 of the logits' scale.
        let scale = max(1, logits.storage.map(abs).max() ?? 1)
        var worst = 0.0
        for n in 0..<samples.rows {
            let j = maps.jacobian(n), b = maps.offset(n)
            for cls in 0..<network.outputSize {
                var value = b[cls]
                for k in 0..<network.inputSize { value += j[cls, k] * samples[n, k] }
                worst = max(worst, abs(value - logits[n, cls]))
                #expect(isApproximatelyEqual(maps.logits[n, cls], logits[n, cls], absolute: 1e-12 * scale))
            }
        }
        #expect(worst <= 1e-12 * scale, "J·x + b differs from the logits by \(worst)")
        for n in 0..<fdRows {
            let fd = finiteDifferenceJacobian(network, samples.row(n))
            let j = maps.jacobian(n)
            let size = max(1, j.storage.map(abs).max() ?? 1)
            #expect(j.maxAbsDifference(to: fd) <= 1e-6 * size, "sample \(n): \(j.maxAbsDifference(to: fd))")
        }
    }

    @Test func reluMLPMatchesFiniteDifferencesAndTheForwardPass() {
        var g = SeededGenerator(seed: 3)
        let network = Network(MLP(layerWidths: [5, 12, 9, 4], using: &g))
        // 300 samples: more than one block of 256.
        check(network, samples: uniformMatrix(rows: 300, columns: 5, seed: 4), fdRows: 20)
    }

    @Test func everyOperationKindMatchesFiniteDifferencesAndTheForwardPass() throws {
        let network = try mixedNetwork(seed: 8)
        check(network, samples: uniformMatrix(rows: 12, columns: 72, seed: 9), fdRows: 12)
    }

    @Test func classRowsAreTheJacobianRowAndTheOffset() {
        var g = SeededGenerator(seed: 1)
        let network = Network(MLP(layerWidths: [3, 5, 2], using: &g))
        let maps = LocalAffineMaps(network: network, samples: uniformMatrix(rows: 4, columns: 3, seed: 2))
        let rows = maps.classRows(1), bare = maps.classRows(1, includingOffset: false)
        #expect(rows.columns == 4 && bare.columns == 3)
        for n in 0..<4 {
            #expect(Array(rows.row(n).prefix(3)) == maps.jacobian(n).row(1) && bare.row(n) == maps.jacobian(n).row(1))
            #expect(rows[n, 3] == maps.offset(n)[1])
        }
    }
}

@Suite struct DistinctMapsTests {
    /// The sorted-projection search keeps exactly the rows the notebook's quadratic loop keeps.
    @Test(arguments: [1e-3, 0.05, 0.3]) func matchesTheNotebookLoop(tolerance: Double) {
        var g = SeededGenerator(seed: 12)
        var rows: [[Double]] = []
        let bases = (0..<40).map { _ in (0..<7).map { _ in g.uniform(bound: 1) } }
        for _ in 0..<400 {
            // Repeats of 40 rows, each nudged by up to about the tolerance.
            let base = bases[Int(g.nextUnit() * 40)]
            rows.append(base.map { $0 + g.uniform(bound: tolerance / 2) })
        }
        let m = Matrix(rows)
        #expect(distinctRows(m, tolerance: tolerance) == distinctRowsBruteForce(m, tolerance: tolerance))
        // Each row's id: the first kept row within the tolerance, as the quadratic loop finds it; kept rows are
        // numbered in order.
        let ids = distinctRowIDs(m, tolerance: tolerance)
        #expect(ids == distinctRowIDsBruteForce(m, tolerance: tolerance))
        #expect(Set(ids).count == distinctRows(m, tolerance: tolerance).count)
    }
}

@Suite struct KMeansTests {
    /// Well-separated blobs: every fit recovers them exactly, for any seed.
    @Test(arguments: [0, 1, 2] as [UInt64]) func recoversSeparatedBlobs(seed: UInt64) {
        var g = SeededGenerator(seed: 40)
        let centres = (0..<5).map { c in (0..<6).map { _ in 10 * Double(c) + g.uniform(bound: 1) } }
        var rows: [[Double]] = [], truth: [Int] = []
        for i in 0..<200 {
            truth.append(i % 5)
            rows.append(centres[i % 5].map { $0 + g.uniform(bound: 0.5) })
        }
        var generator = SeededGenerator(seed: seed)
        let fit = KMeans(fitting: Matrix(rows), clusters: 5, generator: &generator)
        // Same cluster ⇔ same blob.
        for i in 0..<200 {
            for j in 0..<i where (truth[i] == truth[j]) != (fit.assignments[i] == fit.assignments[j]) {
                Issue.record("points \(i) and \(j) are clustered against their blobs")
                return
            }
        }
    }

    /// Lloyd's fixed point, checked by brute force: each point's assignment is its nearest centre, each centre the
    /// mean of its points (to 1e-12), the inertia the sum of squared distances; the same seed gives the same fit.
    @Test func endsAtALloydFixedPoint() {
        let points = uniformMatrix(rows: 300, columns: 4, seed: 41)
        var g1 = SeededGenerator(seed: 7), g2 = SeededGenerator(seed: 7)
        let fit = KMeans(fitting: points, clusters: 12, generator: &g1)
        let again = KMeans(fitting: points, clusters: 12, generator: &g2)
        #expect(fit.assignments == again.assignments && fit.centres == again.centres)
        #expect(fit.iterations < 100)
        var inertia = 0.0
        for i in 0..<points.rows {
            let distances = (0..<12).map { squaredDistance(points, i, fit.centres, $0) }
            let nearest = distances.min()!
            #expect(distances[fit.assignments[i]] <= nearest + 1e-12)
            inertia += distances[fit.assignments[i]]
        }
        #expect(isApproximatelyEqual(inertia, fit.inertia, absolute: 1e-9 * inertia))
        for j in 0..<12 {
            let members = (0..<points.rows).filter { fit.assignments[$0] == j }
            guard !members.isEmpty else { continue }
            for k in 0..<4 {
                let mean = members.reduce(0) { $0 + points[$1, k] } / Double(members.count)
                #expect(isApproximatelyEqual(mean, fit.centres[j, k], absolute: 1e-12))
            }
        }
    }

    /// k = N puts a centre on every distinct point (inertia 0); k = 1 is the mean.
    @Test func extremes() {
        let points = uniformMatrix(rows: 30, columns: 3, seed: 42)
        var g = SeededGenerator(seed: 1)
        #expect(KMeans(fitting: points, clusters: 30, generator: &g).inertia <= 1e-20)
        let one = KMeans(fitting: points, clusters: 1, generator: &g)
        for k in 0..<3 {
            #expect(isApproximatelyEqual(one.centres[0, k], (0..<30).reduce(0) { $0 + points[$1, k] } / 30, absolute: 1e-14))
        }
    }
}

/// Reverse mode (C adjoint rows per sample back through the layers) against forward mode, its reference (D tangent
/// rows forward): the same maps and logits to 1e-10 of their scale, on an MLP and on the network with every
/// operation kind (convolutions written out as matrices, pooling, a residual sum, clip).
@Suite struct ReverseModeMapsTests {
    func compare(_ network: Network, samples: Matrix) {
        let forward = LocalAffineMaps(network: network, samples: samples, mode: .forward)
        let reverse = LocalAffineMaps(network: network, samples: samples, mode: .reverse)
        let automatic = LocalAffineMaps(network: network, samples: samples)
        let scale = max(1, forward.maps.storage.map(abs).max() ?? 1)
        #expect(reverse.maps.maxAbsDifference(to: forward.maps) <= 1e-10 * scale,
                "maps differ by \(reverse.maps.maxAbsDifference(to: forward.maps))")
        #expect(reverse.logits.maxAbsDifference(to: forward.logits) <= 1e-10 * scale)
        // Fewer classes than inputs: the automatic choice is reverse mode, to the bit.
        #expect(automatic.maps.storage == reverse.maps.storage)
    }

    @Test func mlpReverseEqualsForward() {
        var g = SeededGenerator(seed: 21)
        let network = Network(MLP(layerWidths: [30, 16, 16, 10], using: &g))
        // 300 samples: more than one block.
        compare(network, samples: uniformMatrix(rows: 300, columns: 30, seed: 22))
    }

    @Test func everyOperationKindReverseEqualsForward() throws {
        compare(try mixedNetwork(seed: 8), samples: uniformMatrix(rows: 20, columns: 72, seed: 23))
    }
}
