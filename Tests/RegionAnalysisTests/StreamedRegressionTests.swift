import LinearAlgebra
import NeuralNet
import Support
import Testing
@testable import RegionAnalysis

/// The regressions `compare` streams at MNIST scale against the in-memory route (every map held, the SVD of the
/// centred design) on a small case whose designs are full rank.
@Suite struct StreamedRegressionTests {
    func network(seed: UInt64) throws -> Network {
        var g = SeededGenerator(seed: seed)
        return try Network(inputShape: [4], chain: [
            .dense(Dense(inputs: 4, outputs: 16, using: &g)), .relu,
            .dense(Dense(inputs: 16, outputs: 12, using: &g)), .prelu(slopes: [0.2]),
            .dense(Dense(inputs: 12, outputs: 3, using: &g)),
        ])
    }

    func samples(_ rows: Int, seed: UInt64) -> Matrix {
        var g = SeededGenerator(seed: seed)
        return Matrix(rows: rows, columns: 4, storage: (0..<(rows * 4)).map { _ in g.uniform(bound: 2) })
    }

    /// R² of every class, both directions, with and without offsets, to 1e-10; the transferred and the nets' own
    /// predictions the same. Blocks of 37 rows, so that the last block is short.
    @Test func streamedRegressionsEqualTheInMemoryOnes() throws {
        let a = try network(seed: 1), b = try network(seed: 2)
        let train = samples(500, seed: 3), test = samples(300, seed: 4)
        let labels = (0..<test.rows).map { $0 % 3 }
        let streamed = try StreamedClassWiseRegressions(a: a, b: b, train: train, test: test, testLabels: labels,
                                                        blockRows: 37)
        let mapsA = LocalAffineMaps(network: a, samples: train), mapsB = LocalAffineMaps(network: b, samples: train)
        let testA = LocalAffineMaps(network: a, samples: test), testB = LocalAffineMaps(network: b, samples: test)
        func inMemory(_ s: LocalAffineMaps, _ t: LocalAffineMaps, _ st: LocalAffineMaps, _ tt: LocalAffineMaps,
                      offset: Bool) throws -> ClassWiseRegression {
            try ClassWiseRegression(from: s, to: t, sourceTest: st, targetTest: tt, testSamples: test,
                                    testLabels: labels, includingOffset: offset)
        }
        let pairs: [(ClassWiseRegression, ClassWiseRegression, String)] = [
            (streamed.aToB, try inMemory(mapsA, mapsB, testA, testB, offset: true), "a → b"),
            (streamed.bToA, try inMemory(mapsB, mapsA, testB, testA, offset: true), "b → a"),
            (streamed.aToBWithoutOffset, try inMemory(mapsA, mapsB, testA, testB, offset: false), "a → b, J"),
            (streamed.bToAWithoutOffset, try inMemory(mapsB, mapsA, testB, testA, offset: false), "b → a, J"),
        ]
        for (s, m, name) in pairs {
            #expect(s.perClassR2.count == 3)
            let worst = zip(s.perClassR2, m.perClassR2).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-10, "\(name): \(s.perClassR2) vs \(m.perClassR2)")
            #expect(s.predictions == m.predictions, "\(name)")
            #expect(s.transferredAccuracy == m.transferredAccuracy, "\(name)")
            // Not a trivial fit: the two nets' maps differ.
            #expect(m.perClassR2.allSatisfy { $0 < 0.999 }, "\(name): \(m.perClassR2)")
        }
        #expect(streamed.predictionsA == (0..<test.rows).map { argmax(testA.logits.row($0)) })
        #expect(streamed.predictionsB == (0..<test.rows).map { argmax(testB.logits.row($0)) })
    }

    /// The classes' sums on three threads give the one thread's fits bit for bit (each class is summed by one
    /// thread, in the same order).
    @Test func threadsGiveTheSameBits() throws {
        let a = try network(seed: 5), b = try network(seed: 6)
        let train = samples(300, seed: 7), test = samples(120, seed: 8)
        let labels = (0..<test.rows).map { $0 % 3 }
        let one = try StreamedClassWiseRegressions(a: a, b: b, train: train, test: test, testLabels: labels,
                                                   blockRows: 41)
        let three = try StreamedClassWiseRegressions(a: a, b: b, train: train, test: test, testLabels: labels,
                                                     blockRows: 41, context: ComputeContext(threads: 3))
        for (x, y) in [(one.aToB, three.aToB), (one.bToA, three.bToA), (one.aToBWithoutOffset, three.aToBWithoutOffset),
                       (one.bToAWithoutOffset, three.bToAWithoutOffset)] {
            #expect(x.perClassR2.map(\.bitPattern) == y.perClassR2.map(\.bitPattern))
            #expect(x.predictions == y.predictions && x.transferredAccuracy == y.transferredAccuracy)
        }
        #expect(one.predictionsA == three.predictionsA && one.predictionsB == three.predictionsB)
    }
}
