import COpenBLAS

/// Errors from the least-squares solver.
public enum LeastSquaresError: Error, CustomStringConvertible, Equatable {
    /// The inputs contain NaN or infinity.
    case nonFiniteInput
    /// LAPACK's SVD did not converge (`info` is LAPACK's code).
    case svdDidNotConverge(info: Int32)
    /// LAPACK rejected an argument (`info` is LAPACK's code); a bug in the caller.
    case illegalArgument(info: Int32)

    public var description: String {
        switch self {
        case .nonFiniteInput: return "least squares: the data contain NaN or infinite values"
        case .svdDidNotConverge(let info): return "least squares: the SVD did not converge (LAPACK info \(info))"
        case .illegalArgument(let info): return "least squares: LAPACK rejected argument \(-info)"
        }
    }
}

/// The minimum-norm least-squares solution of `A · X ≈ B`, and the effective rank of `A`.
public struct LeastSquaresSolution: Sendable {
    /// The solution, `A.columns × B.columns`.
    public var solution: Matrix
    /// Effective rank of `A` under the cut-off `rcond · σ_max`.
    public var rank: Int
    /// Singular values of `A`, largest first.
    public var singularValues: [Double]
}

/// Solves `min ‖A·X − B‖_F` through `LAPACKE_dgelsd` (SVD, divide and conquer).
///
/// Rank-deficient `A` is safe: singular values below `rcond · σ_max` are treated as zero and the
/// minimum-norm solution is returned. The default `rcond` is machine epsilon, the cut-off
/// `scipy.linalg.lstsq` (and so scikit-learn's `LinearRegression`) uses.
public func leastSquares(_ a: Matrix, _ b: Matrix, rcond: Double = Double.ulpOfOne) throws -> LeastSquaresSolution {
    precondition(a.rows == b.rows, "A has \(a.rows) rows, B has \(b.rows)")
    guard a.isFinite, b.isFinite else { throw LeastSquaresError.nonFiniteInput }
    let m = a.rows, n = a.columns, nrhs = b.columns
    if m == 0 || n == 0 {
        return LeastSquaresSolution(solution: Matrix(rows: n, columns: nrhs), rank: 0, singularValues: [])
    }
    // dgelsd overwrites B with the solution, so B needs max(m, n) rows.
    let ldb = max(nrhs, 1)
    var work = Matrix(rows: max(m, n), columns: nrhs)
    for i in 0..<m { for j in 0..<nrhs { work[i, j] = b[i, j] } }
    var aCopy = a.storage
    var singular = [Double](repeating: 0, count: min(m, n))
    var rank: Int32 = 0
    let info = aCopy.withUnsafeMutableBufferPointer { pa in
        work.storage.withUnsafeMutableBufferPointer { pb in
            singular.withUnsafeMutableBufferPointer { ps in
                LAPACKE_dgelsd(
                    LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs),
                    pa.baseAddress, Int32(n), pb.baseAddress, Int32(ldb),
                    ps.baseAddress, rcond, &rank)
            }
        }
    }
    if info > 0 { throw LeastSquaresError.svdDidNotConverge(info: info) }
    if info < 0 { throw LeastSquaresError.illegalArgument(info: info) }
    var x = Matrix(rows: n, columns: nrhs)
    for i in 0..<n { for j in 0..<nrhs { x[i, j] = work[i, j] } }
    return LeastSquaresSolution(solution: x, rank: Int(rank), singularValues: singular)
}

/// Errors from the linear solver.
public enum LinearSolveError: Error, CustomStringConvertible, Equatable {
    /// The matrix is exactly singular (LAPACK's `info` > 0: U(info, info) is zero).
    case singular(info: Int32)
    case nonFiniteInput

    public var description: String {
        switch self {
        case .singular(let info): return "linear solve: the matrix is singular (pivot \(info) is zero)"
        case .nonFiniteInput: return "linear solve: the data contain NaN or infinite values"
        }
    }
}

/// Solves the square system `A · X = B` through `LAPACKE_dgesv` (LU with partial pivoting).
public func solveLinearSystem(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    precondition(a.rows == a.columns && a.rows == b.rows, "A must be square with as many rows as B")
    guard a.isFinite, b.isFinite else { throw LinearSolveError.nonFiniteInput }
    var lu = a.storage
    var x = b
    var pivots = [Int32](repeating: 0, count: a.rows)
    let info = lu.withUnsafeMutableBufferPointer { pa in x.storage.withUnsafeMutableBufferPointer { pb in pivots.withUnsafeMutableBufferPointer { pp in
        LAPACKE_dgesv(LAPACK_ROW_MAJOR, Int32(a.rows), Int32(b.columns), pa.baseAddress, Int32(a.columns), pp.baseAddress,
                      pb.baseAddress, Int32(max(1, b.columns)))
    } } }
    if info > 0 { throw LinearSolveError.singular(info: info) }
    precondition(info == 0, "LAPACKE_dgesv rejected argument \(-info)")
    return x
}

/// The eigenvalues (ascending) and eigenvectors (the columns of `vectors`) of a symmetric matrix, through
/// `LAPACKE_dsyevd`; only the upper triangle is read.
public func symmetricEigen(_ a: Matrix) throws -> (values: [Double], vectors: Matrix) {
    precondition(a.rows == a.columns, "a symmetric matrix is square")
    guard a.isFinite else { throw LeastSquaresError.nonFiniteInput }
    let n = a.rows
    var vectors = a
    var values = [Double](repeating: 0, count: n)
    guard n > 0 else { return (values, vectors) }
    let info = vectors.storage.withUnsafeMutableBufferPointer { pa in
        values.withUnsafeMutableBufferPointer { pw in
            LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(n),
                           pa.baseAddress, Int32(n), pw.baseAddress)
        }
    }
    if info > 0 { throw LeastSquaresError.svdDidNotConverge(info: info) }
    if info < 0 { throw LeastSquaresError.illegalArgument(info: info) }
    return (values, vectors)
}
