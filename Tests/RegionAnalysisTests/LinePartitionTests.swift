import LinearAlgebra
import NeuralNet
import Testing
@testable import RegionAnalysis

/// `LinePartition` (Hanin & Rolnick's 1-D counts) against a closed form and against dense float64 sampling of the
/// unit states by the plain forward pass.
@Suite struct LinePartitionTests {
    static func randomPoint(_ d: Int, _ g: inout SeededGenerator) -> [Double] { (0..<d).map { _ in g.nextGaussian() } }

    /// One hidden layer: the breakpoints are the roots of wᵢ·x(t) + bᵢ inside (0, L), in closed form.
    @Test func oneHiddenLayerMatchesTheRootsOfItsUnits() {
        var g = SeededGenerator(seed: 11)
        let mlp = MLP(layerWidths: [5, 16, 3], using: &g)
        let a = Self.randomPoint(5, &g), b = Self.randomPoint(5, &g)
        let partition = LinePartition(network: Network(mlp), from: a, to: b)
        let length = zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        let direction = zip(b, a).map { ($0 - $1) / length }
        let layer = mlp.layers[0]
        var roots: [Double] = []
        for j in 0..<layer.outputs {
            var slope = 0.0, offset = layer.bias[j]
            for i in 0..<layer.inputs {
                slope += layer.weight[j, i] * direction[i]
                offset += layer.weight[j, i] * a[i]
            }
            let t = -offset / slope
            if t > 0 && t < length { roots.append(t) }
        }
        roots.sort()
        #expect(!roots.isEmpty)
        #expect(partition.count == roots.count + 1)
        // Tolerance: the roots are one division each, the walk's the same arithmetic in another order.
        for (x, y) in zip(partition.breakpoints, roots) { #expect(abs(x - y) <= 1e-12 * length) }
        #expect(abs(partition.length - length) <= 1e-15 * length)
    }

    /// The states on each piece are those the ordinary forward pass gives at its samples, and neighbouring pieces
    /// differ: no breakpoint is missed at the sampling's resolution, none is spurious.
    static func checkAgainstSampling(_ network: Network, from a: [Double], to b: [Double], samples: Int) {
        let partition = LinePartition(network: network, from: a, to: b)
        let d = a.count, length = partition.length
        let ts = (0..<samples).map { length * (Double($0) + 0.5) / Double(samples) }
        let inputs = ts.flatMap { t in (0..<d).map { a[$0] + t / length * (b[$0] - a[$0]) } }
        let units = network.nonlinearUnitCount
        let states = network.unitStates(inputs, rows: samples)
        var mismatches = 0, piece = 0
        for (n, t) in ts.enumerated() {
            while partition.pieces[piece].upper < t { piece += 1 }
            // A sample within 1e-9 of a breakpoint may read either side's states in floating point.
            if partition.distanceToBoundary(at: t) < 1e-9 * length { continue }
            if Array(states[(n * units)..<((n + 1) * units)]) != partition.pieces[piece].states { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) samples disagree with their piece's states")
        for (p, q) in zip(partition.pieces, partition.pieces.dropFirst()) {
            #expect(p.states != q.states, "pieces at \(p.upper) have the same states")
            #expect(p.upper == q.lower)
        }
        #expect(partition.pieces.first?.lower == 0 && partition.pieces.last?.upper == length)
        // Sampled changes: a lower bound of the count that reaches it when no piece is shorter than the spacing.
        var changes = 0
        for n in 1..<samples where states[(n * units)..<((n + 1) * units)] != states[((n - 1) * units)..<(n * units)] {
            changes += 1
        }
        let shortest = partition.pieces.map { $0.upper - $0.lower }.min()!
        if shortest > 2 * length / Double(samples) { #expect(changes + 1 == partition.count) }
        #expect(changes + 1 <= partition.count)
    }

    @Test func deepReLUNetworkAgreesWithDenseSampling() {
        var g = SeededGenerator(seed: 3)
        let mlp = MLP(layerWidths: [8, 24, 24, 24, 4], using: &g)
        let a = Self.randomPoint(8, &g), b = Self.randomPoint(8, &g)
        Self.checkAgainstSampling(Network(mlp), from: a, to: b, samples: 20_000)
    }

    @Test func leakyClipAndMaxPoolingAgreeWithDenseSampling() throws {
        var g = SeededGenerator(seed: 5)
        func values(_ n: Int) -> [Double] { (0..<n).map { _ in g.uniform(bound: 0.6) } }
        let convolution = Convolution2D(weight: values(3 * 1 * 3 * 3), bias: values(3), outputChannels: 3,
                                        inputChannels: 1, kernel: .square(3), padding: .uniform(1))
        let dense1 = Dense(weight: Matrix(rows: 10, columns: 12, storage: values(120)), bias: values(10))
        let dense2 = Dense(weight: Matrix(rows: 2, columns: 10, storage: values(20)), bias: values(2))
        let network = try Network(inputShape: [1, 4, 4], chain: [
            .convolution(convolution), .leakyReLU(slope: 0.1),
            .maxPool(Pooling2D(kernel: .square(2), stride: .square(2))), .reshape([12]),
            .dense(dense1), .clip(lower: -0.2, upper: 0.3), .dense(dense2),
        ])
        let a = Self.randomPoint(16, &g), b = Self.randomPoint(16, &g)
        Self.checkAgainstSampling(network, from: a, to: b, samples: 10_000)
        #expect(LinePartition(network: network, from: a, to: b).count > 5)
    }

    @Test func distanceToTheNearestBoundaryIsTheNearestBreakpoint() {
        var g = SeededGenerator(seed: 8)
        let mlp = MLP(layerWidths: [4, 12, 12, 2], using: &g)
        let a = Self.randomPoint(4, &g), b = Self.randomPoint(4, &g)
        let partition = LinePartition(network: Network(mlp), from: a, to: b)
        let points = partition.breakpoints
        for k in 0...100 {
            let t = partition.length * Double(k) / 100
            let brute = points.map { abs($0 - t) }.min() ?? .infinity
            #expect(partition.distanceToBoundary(at: t) == brute)
        }
    }
}
