import LinearAlgebra
import NeuralNet
import Testing
@testable import RegionAnalysis

@Suite struct Breakpoints1D {
    func net(_ layers: [([[Double]], [Double])]) -> MLP {
        MLP(layers: layers.map { Dense(weight: Matrix($0.0), bias: $0.1) })
    }

    @Test func handWorkedNetworks() {
        // relu(x − 0.5) − relu(−x): kinks at 0.5 and 0.
        let a = net([([[1], [-1]], [-0.5, 0]), ([[1, -1]], [0])])
        #expect(piecewiseLinearBreakpoints(a) == [0, 0.5])
        // |x| = relu(x) + relu(−x): one kink at 0.
        let b = net([([[1], [-1]], [0, 0]), ([[1, 1]], [0])])
        #expect(piecewiseLinearBreakpoints(b) == [0])
        #expect(piecewiseLinearBreakpoints(b)[0].sign == .plus)
        // A unit whose output weight is 0 changes nothing: its zero at 0.25 is not a breakpoint.
        let c = net([([[1], [4]], [0.3, -1]), ([[1, 0]], [0])])
        #expect(piecewiseLinearBreakpoints(c).count == 1 && abs(piecewiseLinearBreakpoints(c)[0] + 0.3) < 1e-15)
        // Outside the interval: none.
        let d = net([([[1]], [5]), ([[1]], [0])])
        #expect(piecewiseLinearBreakpoints(d).isEmpty)
    }

    @Test func deepNetworkAgreesWithADenseScan() {
        var g = SeededGenerator(seed: 6)
        let network = MLP(layerWidths: [1, 6, 5, 1], using: &g)
        let points = piecewiseLinearBreakpoints(network)
        // Oracle: slopes on a fine grid change only across a breakpoint.
        let xs = (0...20_000).map { -1 + Double($0) / 10_000 }
        let ys = network(Matrix(rows: xs.count, columns: 1, storage: xs)).storage
        for k in 1..<(xs.count - 1) {
            let left = (ys[k] - ys[k - 1]) / 1e-4, right = (ys[k + 1] - ys[k]) / 1e-4
            if abs(left - right) > 1e-6 {
                #expect(points.contains { $0 > xs[k - 1] - 1e-12 && $0 < xs[k + 1] + 1e-12 }, "kink near \(xs[k]) missed")
            }
        }
        // And every breakpoint is a real kink.
        for p in points {
            let f = { (x: Double) in network(Matrix([[x]])).storage[0] }
            let h = 1e-7
            #expect(abs((f(p + h) - f(p)) / h - (f(p) - f(p - h)) / h) > 1e-6)
        }
    }
}
