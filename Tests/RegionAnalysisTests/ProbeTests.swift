import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

@Suite struct ProbeGridOrder {
    @Test func linspaceMeshgridOrderThenCorners() {
        let grid = ProbeGrid(resolution: 5)
        #expect(grid.count == 29)
        #expect((0..<5).map(grid.axisValue) == [-1, -0.5, 0, 0.5, 1])
        // x varies fastest.
        #expect(grid.point(1).x == -0.5 && grid.point(1).y == -1)
        #expect(grid.point(5).x == -1 && grid.point(5).y == -0.5)
        #expect(grid.point(24).x == 1 && grid.point(24).y == 1)
        #expect((25..<29).map { grid.point($0).x } == [-1, -1, 1, 1])
        #expect((25..<29).map { grid.point($0).y } == [-1, 1, -1, 1])
    }

    @Test func lastValueIsExactlyOne() {
        for g in [3, 7, 101, 1001] { #expect(ProbeGrid(resolution: g).axisValue(g - 1) == 1) }
        // np.linspace(-1, 1, 101)[37] == -0.26 exactly as start + i·step rounds.
        let step: Double = 2.0 / 100
        let expected: Double = -1 + 37 * step
        #expect(ProbeGrid(resolution: 101).axisValue(37) == expected)
    }
}

/// Forward pass of one point: the oracle for the batched probe.
func outputAt(_ network: MLP, _ x: Double, _ y: Double) -> Double {
    network(Matrix([[x, y]]))[0, 0]
}

/// On/off of every hidden unit at one point, straight from the forward pass.
func patternAt(_ network: MLP, _ x: Double, _ y: Double) -> [Bool] {
    network.forwardWithCache(Matrix([[x, y]])).preActivations.dropLast().flatMap { $0.storage.map { $0 > 0 } }
}

@Suite struct GradientProbes {
    static let shapes: [[Int]] = [[2, 1], [2, 5, 1], [2, 30, 1], [2, 8, 6, 1], [2, 16, 16, 16, 1]]

    @Test(arguments: shapes)
    func gradientsMatchFiniteDifferencesAndOffsetsReconstructOutput(widths: [Int]) {
        var g = SeededGenerator(seed: 21)
        let network = MLP(layerWidths: widths, using: &g)
        let points = Matrix(rows: 300, columns: 2, storage: (0..<600).map { _ in g.uniform(bound: 1) })
        let result = GradientProbe(network: network, chunkSize: 37).probe(PointList(points))
        let h = 1e-7
        var checked = 0
        for i in 0..<points.rows {
            let (x, y) = (points[i, 0], points[i, 1])
            // Skip points whose finite-difference stencil crosses a region boundary.
            let stencil = [(x + h, y), (x - h, y), (x, y + h), (x, y - h)]
            guard stencil.allSatisfy({ patternAt(network, $0.0, $0.1) == patternAt(network, x, y) }) else { continue }
            checked += 1
            let gx = (outputAt(network, x + h, y) - outputAt(network, x - h, y)) / (2 * h)
            let gy = (outputAt(network, x, y + h) - outputAt(network, x, y - h)) / (2 * h)
            // Inside a region f is affine, so central differences are exact up to rounding (~1e-16/1e-7).
            #expect(isApproximatelyEqual(result.coefficients[i, 0], gx, absolute: 1e-7))
            #expect(isApproximatelyEqual(result.coefficients[i, 1], gy, absolute: 1e-7))
            let f = outputAt(network, x, y)
            #expect(isApproximatelyEqual(result.outputs[i], f, absolute: 1e-12))
            #expect(isApproximatelyEqual(result.coefficients[i, 2], (f - gx * x - gy * y), absolute: 1e-7))
        }
        #expect(checked > 250)
    }

    @Test(arguments: shapes)
    func activationPatternsAreCountedExactly(widths: [Int]) {
        var g = SeededGenerator(seed: 22)
        let network = MLP(layerWidths: widths, using: &g)
        let grid = ProbeGrid(resolution: 41)
        let result = GradientProbe(network: network, chunkSize: 50).probe(grid)
        var seen: [[Bool]: Int32] = [:]
        for i in 0..<grid.count {
            let p = grid.point(i)
            let pattern = patternAt(network, p.x, p.y)
            let id = seen[pattern] ?? Int32(seen.count)
            seen[pattern] = id
            // Numbered by first appearance.
            #expect(result.patternIDs[i] == id)
        }
        #expect(result.activationPatternCount == seen.count)
    }

    @Test func chunkingAndThreadsDoNotChangeTheAnswer() {
        var g = SeededGenerator(seed: 23)
        let network = MLP(layerWidths: [2, 40, 20, 1], using: &g)
        let grid = ProbeGrid(resolution: 61)
        let one = GradientProbe(network: network, chunkSize: 3721, context: .serial).probe(grid)
        let many = GradientProbe(network: network, chunkSize: 13, context: ComputeContext(threads: 4)).probe(grid)
        #expect(one.patternIDs == many.patternIDs)
        #expect(one.coefficients.maxAbsDifference(to: many.coefficients) < 1e-12)
    }

    @Test func unitsExactlyAtZeroAreOff() {
        // Hand-set weights: unit 0 is exactly 0 along x = 0, which the grid samples.
        let network = MLP(layers: [
            Dense(weight: Matrix([[1, 0], [0, 1]]), bias: [0, 0]),
            Dense(weight: Matrix([[1, 1]]), bias: [0]),
        ])
        let result = GradientProbe(network: network).probe(PointList(Matrix([[0, 0.5], [0.25, 0.5]])))
        #expect(result.coefficients.row(0) == [0, 1, 0])
        #expect(result.coefficients.row(1) == [1, 1, 0])
        #expect(!result.patterns.isOn(pattern: Int(result.patternIDs[0]), unit: 0))
        #expect(result.patterns.isOn(pattern: Int(result.patternIDs[1]), unit: 0))
    }

    @Test(arguments: shapes)
    func singlePrecisionAgreesWithDoubleToFloatAccuracy(widths: [Int]) {
        var g = SeededGenerator(seed: 24)
        let network = MLP(layerWidths: widths, using: &g)
        let grid = ProbeGrid(resolution: 31)
        let double = GradientProbe(network: network).probe(grid)
        let single = GradientProbe(network: network, precision: .float32).probe(grid)
        // float32 carries ~1e-7 relative error; patterns can only differ at points within that of a boundary.
        #expect(double.coefficients.maxAbsDifference(to: single.coefficients) < 1e-4)
        #expect(abs(double.activationPatternCount - single.activationPatternCount) <= 1)
    }

    @Test func analyticGradientOfHandBuiltXORNetwork() {
        // The notebook's hand-built network: f = [2, −4] · relu([[1,1],[1,1]] x + [1, 0]) − 1.
        let network = MLP(layers: [
            Dense(weight: Matrix([[1, 1], [1, 1]]), bias: [1, 0]),
            Dense(weight: Matrix([[2, -4]]), bias: [-1]),
        ])
        let result = GradientProbe(network: network).probe(PointList(Matrix([[-1, -1], [-0.25, -0.25], [1, 1]])))
        // Its three formulas: −1, 2x + 2y + 1, −2x − 2y + 1.
        #expect(result.coefficients.row(0) == [0, 0, -1])
        #expect(result.coefficients.row(1) == [2, 2, 1])
        #expect(result.coefficients.row(2) == [-2, -2, 1])
        #expect(result.outputs == [-1, 0, -3])
    }
}
