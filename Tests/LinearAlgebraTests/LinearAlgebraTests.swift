import Testing
@testable import LinearAlgebra

/// Naive triple loop: the independent oracle for BLAS products.
func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
    var c = Matrix(rows: a.rows, columns: b.columns)
    for i in 0..<a.rows { for j in 0..<b.columns { for k in 0..<a.columns { c[i, j] += a[i, k] * b[k, j] } } }
    return c
}

func randomMatrix(_ rows: Int, _ columns: Int, _ g: inout SeededGenerator) -> Matrix {
    Matrix(rows: rows, columns: columns, storage: (0..<(rows * columns)).map { _ in g.uniform(bound: 1) })
}

@Suite struct MatrixProducts {
    @Test func gemmMatchesTripleLoop() {
        var g = SeededGenerator(seed: 1)
        let a = randomMatrix(7, 5, &g), b = randomMatrix(5, 3, &g)
        // Tolerance: a few ulps of sums of 5 products of magnitude ≤ 1.
        #expect((a * b).maxAbsDifference(to: naiveProduct(a, b)) < 1e-14)
        #expect(a.multipliedTransposed(by: b.transposed).maxAbsDifference(to: naiveProduct(a, b)) < 1e-14)
        #expect(a.transposed.transposedMultiplied(by: b).maxAbsDifference(to: naiveProduct(a, b)) < 1e-14)
    }

    @Test func gemmAccumulatesWithBeta() {
        let a = Matrix([[1, 2], [3, 4]]), b = Matrix.identity(2)
        var c = Matrix([[10, 10], [10, 10]])
        Matrix.gemm(a, b, into: &c, alpha: 2, beta: 1)
        #expect(c == Matrix([[12, 14], [16, 18]]))
    }

    /// The Gram's upper triangle by `dsyrk`, accumulated over blocks and mirrored, against the triple loop over all
    /// the rows at once (sums of 40 products of magnitude ≤ 1: 1e-13).
    @Test func gramUpperTriangleAccumulatesToTheFullGram() {
        var g = SeededGenerator(seed: 2)
        let first = randomMatrix(17, 9, &g), second = randomMatrix(23, 9, &g)
        var gram = Matrix(rows: 9, columns: 9)
        for k in gram.storage.indices { gram.storage[k] = -7 }  // overwritten by beta 0, the lower half by the mirror
        Matrix.gramUpperTriangle(first, into: &gram)
        Matrix.gramUpperTriangle(second, into: &gram, beta: 1)
        gram.mirrorUpperTriangle()
        let all = Matrix(rows: 40, columns: 9, storage: first.storage + second.storage)
        #expect(gram.maxAbsDifference(to: naiveProduct(all.transposed, all)) < 1e-13)
    }
}

@Suite struct LeastSquaresSolver {
    @Test func recoversExactSolutionOfOverdeterminedSystem() throws {
        var g = SeededGenerator(seed: 2)
        let a = randomMatrix(20, 3, &g)
        let x = Matrix([[1, -2], [0.5, 3], [-4, 0.25]])
        let s = try leastSquares(a, a * x)
        #expect(s.rank == 3)
        #expect(s.solution.maxAbsDifference(to: x) < 1e-12)
    }

    @Test func rankDeficientGivesMinimumNorm() throws {
        // Two identical columns: every (u, v) with u + v = 2 fits exactly; the minimum norm one is (1, 1).
        let a = Matrix([[1, 1], [2, 2], [3, 3]])
        let b = Matrix([[2], [4], [6]])
        let s = try leastSquares(a, b)
        #expect(s.rank == 1)
        #expect(s.solution.maxAbsDifference(to: Matrix([[1], [1]])) < 1e-12)
    }

    /// Notebook 001's abstraction example: M = Y Xᵀ (X Xᵀ)⁻¹ = [[1.36, 0.88], [-1.36, -0.88]] (printed there).
    @Test func notebookAbstractionFit() throws {
        let x = Matrix([[1, -1, 2, 1], [2, 2, -1, -2]])
        let y = Matrix([[3, 2, 2, 1], [-3, -2, -2, -1]])
        // Solve Xᵀ Mᵀ ≈ Yᵀ.
        let m = try leastSquares(x.transposed, y.transposed).solution.transposed
        #expect(m.maxAbsDifference(to: Matrix([[1.36, 0.88], [-1.36, -0.88]])) < 1e-12)
        // The notebook's residual norm: 3.0199337741082997.
        let residual = (m * x).storage.enumerated().reduce(0.0) { $0 + pow2($1.element - y.storage[$1.offset]) }.squareRoot()
        #expect(isApproximatelyEqual(residual, 3.0199337741082997, absolute: 1e-12))
    }

    @Test func rejectsNonFiniteInput() {
        #expect(throws: LeastSquaresError.nonFiniteInput) {
            try leastSquares(Matrix([[Double.nan]]), Matrix([[1]]))
        }
    }
}

func pow2(_ x: Double) -> Double { x * x }

@Suite struct Randomness {
    @Test func sameSeedSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        #expect((0..<100).map { _ in a.next() } == (0..<100).map { _ in b.next() })
    }

    @Test func streamsAndSeedsDiffer() {
        var a = SeededGenerator(seed: 42, stream: 1), b = SeededGenerator(seed: 42, stream: 2), c = SeededGenerator(seed: 43, stream: 1)
        let x = a.next(), y = b.next(), z = c.next()
        #expect(x != y && x != z && y != z)
    }

    @Test func uniformMomentsMatchTheDistribution() {
        var g = SeededGenerator(seed: 7)
        let n = 200_000
        let xs = (0..<n).map { _ in g.uniform(bound: 0.5) }
        #expect(xs.allSatisfy { $0 >= -0.5 && $0 < 0.5 })
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        // U(−b, b): mean 0, variance b²/3; 5σ bounds of the sample estimates.
        #expect(abs(mean) < 5 * (1.0 / 12).squareRoot() / Double(n).squareRoot())
        #expect(isApproximatelyEqual(variance, 0.25 / 3, absolute: 0.002))
    }
}

@Suite struct LinearSolve {
    @Test func solvesSquareSystems() throws {
        var g = SeededGenerator(seed: 9)
        let a = randomMatrix(6, 6, &g), x = randomMatrix(6, 2, &g)
        #expect(try solveLinearSystem(a, a * x).maxAbsDifference(to: x) < 1e-10)
    }

    @Test func singularIsAnError() {
        #expect(throws: LinearSolveError.self) { try solveLinearSystem(Matrix([[1, 2], [2, 4]]), Matrix([[1], [2]])) }
    }
}
