import Testing
@testable import LinearAlgebra

/// The fixed-order products: bit for bit their one-element-at-a-time reference (so the blocking, the packing of Bᵀ
/// and the row tails change no bit), and within rounding of BLAS (the independent oracle).
@Suite struct FixedOrderProducts {
    /// op(A) m×k and op(B) k×n as stored (transposed when asked), with leading dimensions wider than the rows so
    /// that the strides are exercised.
    struct Operands<T: BinaryFloatingPoint> {
        var a: [T], b: [T], c: [T]
        let lda: Int, ldb: Int, ldc: Int
        init(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, _ g: inout SeededGenerator) {
            let (aRows, aColumns) = transposeA ? (k, m) : (m, k)
            let (bRows, bColumns) = transposeB ? (n, k) : (k, n)
            lda = aColumns + 2
            ldb = bColumns + 1
            ldc = n + 3
            a = (0..<(aRows * lda)).map { _ in T(g.uniform(bound: 1)) }
            b = (0..<(bRows * ldb)).map { _ in T(g.uniform(bound: 1)) }
            c = (0..<(m * ldc)).map { _ in T(g.uniform(bound: 1)) }
        }
    }

    static let shapes: [(m: Int, n: Int, k: Int)] = [(1, 1, 1), (3, 5, 7), (4, 8, 2), (9, 13, 17), (45, 20, 16), (6, 1, 0)]

    func check<T: BinaryFloatingPoint>(_: T.Type, alpha: T, beta: T) {
        var g = SeededGenerator(seed: 21)
        for (m, n, k) in Self.shapes {
            for transposeA in [false, true] {
                for transposeB in [false, true] {
                    let o = Operands<T>(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, &g)
                    var fast = o.c, reference = o.c
                    fixedOrderGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                                   a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, beta: beta, c: &fast, ldc: o.ldc)
                    referenceFixedOrderGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                            alpha: alpha, a: o.a, lda: o.lda, b: o.b, ldb: o.ldb, beta: beta,
                                            c: &reference, ldc: o.ldc)
                    // Equal element for element, the padding columns of C left as they were included.
                    #expect(fast == reference,
                            "\(T.self) \(m)×\(n)×\(k) transposeA \(transposeA) transposeB \(transposeB)")
                }
            }
        }
    }

    @Test func equalsItsReferenceBitForBit() {
        check(Float.self, alpha: 1, beta: 0)
        check(Float.self, alpha: 1, beta: 1)
        check(Double.self, alpha: 1, beta: 1)
        check(Double.self, alpha: -0.5, beta: 2)
    }

    /// Against BLAS and the triple loop: the same order as the triple loop (so equal), and BLAS to a few ulps of
    /// sums of 17 products of magnitude ≤ 1.
    @Test func agreesWithBLAS() {
        var g = SeededGenerator(seed: 22)
        let a = randomMatrix(9, 17, &g), b = randomMatrix(17, 13, &g)
        var fixed = Matrix(rows: 9, columns: 13)
        Matrix.fixedOrderProduct(a, b, into: &fixed)
        #expect(fixed == naiveProduct(a, b))
        #expect(fixed.maxAbsDifference(to: a * b) < 1e-14)
        var transposed = Matrix(rows: 9, columns: 13)
        Matrix.fixedOrderProduct(a.transposed, transposeA: true, b.transposed, transposeB: true, into: &transposed)
        #expect(transposed == fixed)
        // An empty inner dimension: C = beta · C.
        var scaled = Matrix([[1, 2], [3, 4]])
        Matrix.fixedOrderProduct(Matrix(rows: 2, columns: 0), Matrix(rows: 0, columns: 2), into: &scaled, beta: 2)
        #expect(scaled == Matrix([[2, 4], [6, 8]]))
    }
}
