import Foundation
import LinearAlgebra
import NeuralNet
import Support
import Synchronization
import Testing
@testable import RegionAnalysis

/// A seeded MLP with ReLUs between its layers: `widths` from the input to the output.
func randomMLP(_ widths: [Int], seed: UInt64) throws -> Network {
    var generator = SeededGenerator(seed: seed)
    var chain: [NeuralNet.Operation] = []
    for k in 1..<widths.count {
        if k > 1 { chain.append(.relu) }
        chain.append(.dense(Dense(inputs: widths[k - 1], outputs: widths[k], using: &generator)))
    }
    return try Network(inputShape: [widths[0]], chain: chain)
}

/// Issue 23, items 2 and 3: the slice walk's depth in frames does not grow with the network's, and its work is
/// bounded before (an estimate) and during the walk (the cells made).
@Suite struct SliceBudgetTests {
    /// A chain of 5 000 ReLUs after one dense layer is the same function as one ReLU, so it has the same cells.
    /// Walked on a thread with a 512 KiB stack: the recursive walk needed two frames per ReLU (over 10 000 here)
    /// and crashed; the explicit stack needs a few.
    @Test func aLongChainIsWalkedOnASmallStack() throws {
        let dense = try randomMLP([2, 6], seed: 3).layers[0].operation
        let short = try Network(inputShape: [2], chain: [dense, .relu])
        let long = try Network(inputShape: [2], chain: [dense] + Array(repeating: .relu, count: 5_000))
        let plane = try SlicePlane(inputPlaneOfSize: 2)
        let expected = SlicePartition(network: short, plane: plane, context: .serial).count
        let finished = Mutex<Int?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            let count = SlicePartition(network: long, plane: plane, context: .serial).count
            finished.withLock { $0 = count }
            done.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        #expect(done.wait(timeout: .now() + 120) == .success)
        #expect(finished.withLock { $0 } == expected)
        #expect(expected > 4)
    }

    /// More layers than a slice walks are refused by `problem(with:)` before anything is compiled.
    @Test func tooManyLayersAreAProblem() throws {
        let dense = try randomMLP([2, 2], seed: 1).layers[0].operation
        let chain = [dense] + Array(repeating: NeuralNet.Operation.relu, count: SliceLimits.maximumLayers)
        let network = try Network(inputShape: [2], chain: chain)
        #expect(SlicePartition.problem(with: network)?.contains("slices walk at most 10000") == true)
        #expect(SlicePartition.problem(with: try randomMLP([2, 8, 1], seed: 1)) == nil)
    }

    /// On one hidden layer the regions are those of the arrangement of its lines: 1 + lines + crossings in the
    /// square (general position), exactly the estimate's count.
    @Test(arguments: [(40, UInt64(1)), (150, UInt64(2))])
    func theFirstLayersEstimateIsExactOnOneHiddenLayer(width: Int, seed: UInt64) throws {
        let network = try randomMLP([2, width, 1], seed: seed)
        let plane = try SlicePlane(inputPlaneOfSize: 1.5)
        let estimate = SlicePartition.estimate(network: network, plane: plane)
        let partition = SlicePartition(network: network, plane: plane)
        #expect(estimate.firstLayerRegions == Double(partition.count))
        #expect(estimate.bytesPerCell > Double(network.nonlinearUnitCount))
    }

    /// Beyond 2 048 lines the crossings are sampled: within 3 % of the pairwise count (about 1.7 million pairs
    /// cross here; the sample of 2^20 pairs has a relative standard error well under 1 %).
    @Test func theSampledEstimateIsCloseToThePairwiseCount() throws {
        let network = try randomMLP([2, 2500, 1], seed: 5)
        let plane = try SlicePlane(inputPlaneOfSize: 1.5)
        let estimate = SlicePartition.estimate(network: network, plane: plane)
        let first = try #require(estimate.firstLayer)
        guard case .dense(let d) = network.layers[0].operation else { Issue.record("not dense"); return }
        let h = 1.5
        // The pairwise count, from the weights (u, v are the inputs on a model's own plane).
        var lines: [(Double, Double, Double)] = []
        for j in 0..<d.outputs {
            let (a, b, c) = (d.weight[j, 0], d.weight[j, 1], d.bias[j])
            let corners = [-a - b, a - b, a + b, -a + b].map { $0 * h + c }
            if corners.min()! < 0 && corners.max()! > 0 { lines.append((a, b, c)) }
        }
        var crossings = 0
        for i in 0..<lines.count {
            for j in (i + 1)..<lines.count {
                let (f, g) = (lines[i], lines[j])
                let det = f.0 * g.1 - f.1 * g.0
                guard det != 0 else { continue }
                let u = (f.1 * g.2 - g.1 * f.2) / det, v = (g.0 * f.2 - f.0 * g.2) / det
                if abs(u) < h && abs(v) < h { crossings += 1 }
            }
        }
        #expect(first.lines == lines.count)
        #expect(isApproximatelyEqual(first.crossings, Double(crossings), absolute: 0.03 * Double(crossings)), "\(first.crossings) \(crossings)")
    }

    /// A first layer of 3 units makes a handful of pieces, so the estimate passes; the 300-unit layer after it
    /// makes hundreds of cells, and the walk stops at the bound — serially and on two threads.
    @Test(arguments: [1, 2])
    func theWalkStopsAtTheRegionBound(threads: Int) throws {
        let network = try randomMLP([2, 3, 300, 2], seed: 7)
        let plane = try SlicePlane(inputPlaneOfSize: 3)
        let all = SlicePartition(network: network, plane: plane).count
        #expect(all > 200)
        let context = ComputeContext(threads: threads)
        #expect(throws: SliceLimitError.self) {
            try SlicePartition(network: network, plane: plane, limits: SliceLimits(maxRegions: 100), context: context)
        }
        do {
            _ = try SlicePartition(network: network, plane: plane, limits: SliceLimits(maxRegions: 100),
                                   context: context)
        } catch {
            #expect(error.kind == .regionCount)
            #expect(error.regions == 100)
        }
        // At the bound or above it, the same cells as without one.
        let bounded = try SlicePartition(network: network, plane: plane, limits: SliceLimits(maxRegions: all),
                                         context: context)
        #expect(bounded.count == all)
        let roomy = try SlicePartition(network: network, plane: plane, limits: SliceLimits(memoryBytes: 1e9),
                                       context: context)
        #expect(roomy.cells.map(\.states) == SlicePartition(network: network, plane: plane, context: context)
            .cells.map(\.states))
    }

    /// A memory bound that the first layer's estimate already exceeds is refused before the walk (quickly: the
    /// 4 000-line layer would make millions of cells); one the walk exceeds stops it.
    @Test func memoryBoundsRefuseBeforeAndStopDuring() throws {
        let wide = try randomMLP([2, 4000, 1], seed: 11)
        let plane = try SlicePlane(inputPlaneOfSize: 1.5)
        var clock = Stopwatch()
        do {
            _ = try SlicePartition(network: wide, plane: plane, limits: SliceLimits(memoryBytes: 1e9))
            Issue.record("a 4 000-line slice fitted in 1 GB")
        } catch {
            guard case .estimate(_, let lines, _) = error.kind else { Issue.record("\(error.kind)"); return }
            #expect(lines > 1000)
            #expect(error.regions > 1e6)
            #expect(error.bytes > 1e9)
        }
        #expect(clock.lap() < 20)
        let deep = try randomMLP([2, 3, 300, 2], seed: 7)
        let cell = SlicePartition.estimate(network: deep, plane: plane).bytesPerCell
        do {
            _ = try SlicePartition(network: deep, plane: plane, limits: SliceLimits(memoryBytes: 200 * cell))
            Issue.record("hundreds of cells fitted in the memory of 200")
        } catch {
            #expect(error.kind == .memory)
        }
    }
}
