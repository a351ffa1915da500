import COpenBLAS
#if canImport(Glibc)
import Glibc
#endif

/// A dense, row-major matrix of `Double`.
///
/// Element (i, j) lives at `storage[i * columns + j]`, the layout BLAS calls `CblasRowMajor`,
/// so products go straight to `cblas_dgemm` without transposing by hand.
public struct Matrix: Equatable, Sendable, CustomStringConvertible {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// The elements, row after row.
    public var storage: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        self.storage = Array(repeating: value, count: rows * columns)
    }

    /// A matrix over existing row-major elements; `storage.count` must equal `rows * columns`.
    public init(rows: Int, columns: Int, storage: [Double]) {
        precondition(storage.count == rows * columns, "storage has \(storage.count) elements, expected \(rows * columns)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from nested rows, e.g. `Matrix([[1, 2], [3, 4]])`; every row must have the same length.
    public init(_ nestedRows: [[Double]]) {
        let columns = nestedRows.first?.count ?? 0
        precondition(nestedRows.allSatisfy { $0.count == columns }, "rows of unequal length")
        self.init(rows: nestedRows.count, columns: columns, storage: nestedRows.flatMap { $0 })
    }

    /// The identity matrix of size `n`.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    /// Element at row `i`, column `j`.
    @inlinable
    public subscript(i: Int, j: Int) -> Double {
        get { storage[i * columns + j] }
        set { storage[i * columns + j] = newValue }
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> [Double] {
        Array(storage[(i * columns)..<((i + 1) * columns)])
    }

    /// Column `j` as an array.
    public func column(_ j: Int) -> [Double] {
        (0..<rows).map { self[$0, j] }
    }

    /// The transpose.
    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0..<rows {
            for j in 0..<columns { t.storage[j * rows + i] = storage[i * columns + j] }
        }
        return t
    }

    /// The rows as nested arrays (for reports and tests).
    public var nestedRows: [[Double]] { (0..<rows).map(row) }

    public var description: String {
        "Matrix(\(rows)×\(columns)) " + nestedRows.description
    }

    /// Elementwise map.
    public func map(_ transform: (Double) -> Double) -> Matrix {
        Matrix(rows: rows, columns: columns, storage: storage.map(transform))
    }

    /// Whether every element is finite (no NaN, no ±∞).
    public var isFinite: Bool { storage.allSatisfy(\.isFinite) }

    /// Largest absolute elementwise difference to `other` (same shape required).
    public func maxAbsDifference(to other: Matrix) -> Double {
        precondition(rows == other.rows && columns == other.columns, "shape mismatch")
        var m = 0.0
        for k in storage.indices { m = Swift.max(m, abs(storage[k] - other.storage[k])) }
        return m
    }
}

// MARK: - Products through BLAS

extension Matrix {
    /// `C = alpha · op(A) · op(B) + beta · C` through `cblas_dgemm`, with `op` an optional transpose.
    ///
    /// `C` must already have the shape of the product.
    public static func gemm(
        _ a: Matrix, transposeA: Bool = false,
        _ b: Matrix, transposeB: Bool = false,
        into c: inout Matrix, alpha: Double = 1, beta: Double = 0
    ) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "inner dimensions differ: \(k) vs \(kb)")
        precondition(c.rows == m && c.columns == n, "output is \(c.rows)×\(c.columns), product is \(m)×\(n)")
        guard m > 0, n > 0 else { return }
        if k == 0 {
            // BLAS leaves C untouched when k = 0 only if beta = 1; be explicit.
            for idx in c.storage.indices { c.storage[idx] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    cblas_dgemm(
                        CblasRowMajor,
                        transposeA ? CblasTrans : CblasNoTrans,
                        transposeB ? CblasTrans : CblasNoTrans,
                        Int32(m), Int32(n), Int32(k),
                        alpha, pa.baseAddress, Int32(a.columns),
                        pb.baseAddress, Int32(b.columns),
                        beta, pc.baseAddress, Int32(n))
                }
            }
        }
    }

    /// The product `self · other`.
    public func multiplied(by other: Matrix) -> Matrix {
        var c = Matrix(rows: rows, columns: other.columns)
        Matrix.gemm(self, other, into: &c)
        return c
    }

    /// The product `self · otherᵀ` (the shape of a dense layer: inputs × weightsᵀ).
    public func multipliedTransposed(by other: Matrix) -> Matrix {
        var c = Matrix(rows: rows, columns: other.rows)
        Matrix.gemm(self, other, transposeB: true, into: &c)
        return c
    }

    /// The product `selfᵀ · other` (the shape of a weight gradient: deltasᵀ × inputs).
    public func transposedMultiplied(by other: Matrix) -> Matrix {
        var c = Matrix(rows: columns, columns: other.columns)
        Matrix.gemm(self, transposeA: true, other, into: &c)
        return c
    }

    public static func * (lhs: Matrix, rhs: Matrix) -> Matrix { lhs.multiplied(by: rhs) }

    /// `C = alpha · aᵀa + beta · C` on C's upper triangle (diagonal included) through `cblas_dsyrk`: half the
    /// multiply-adds of ``gemm(_:transposeA:_:transposeB:into:alpha:beta:)`` for a Gram matrix. The strictly lower
    /// triangle is left as it was; ``mirrorUpperTriangle()`` fills it once the sums are done.
    public static func gramUpperTriangle(_ a: Matrix, into c: inout Matrix, alpha: Double = 1, beta: Double = 0) {
        precondition(c.rows == a.columns && c.columns == a.columns,
                     "output is \(c.rows)×\(c.columns), the Gram is \(a.columns)×\(a.columns)")
        guard a.columns > 0 else { return }
        if a.rows == 0 {
            for i in 0..<c.rows { for j in i..<c.columns { c.storage[i * c.columns + j] *= beta } }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            c.storage.withUnsafeMutableBufferPointer { pc in
                cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(a.columns), Int32(a.rows), alpha,
                            pa.baseAddress, Int32(a.columns), beta, pc.baseAddress, Int32(c.columns))
            }
        }
    }

    /// Copies the upper triangle onto the lower one (a square matrix becomes symmetric).
    public mutating func mirrorUpperTriangle() {
        precondition(rows == columns, "only a square matrix has triangles")
        for i in 0..<rows { for j in 0..<i { storage[i * columns + j] = storage[j * columns + i] } }
    }
}

/// Raw `cblas_dgemm` on row-major buffers, for hot loops that manage their own scratch memory.
///
/// Computes `C (m×n) = alpha · op(A) · op(B) + beta · C`, with leading dimensions equal to the row lengths
/// as stored (`lda` = columns of A as stored, and so on).
@inlinable
public func rowMajorGEMM(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Double, a: UnsafePointer<Double>, lda: Int,
    b: UnsafePointer<Double>, ldb: Int,
    beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int
) {
    cblas_dgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k),
        alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Raw `cblas_sgemm` on row-major buffers: ``rowMajorGEMM`` in single precision, for float32 training loops.
@inlinable
public func rowMajorSGEMM(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k),
        alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// Raw `cblas_dgemv` on a row-major buffer: `y = alpha · A · x + beta · y` with A `m × n` (`lda` = row length
/// as stored) and strided x and y. Matrix–vector products need no packing of A, which matters for the skinny
/// products of a network's output layer.
@inlinable
public func rowMajorGEMV(
    m: Int, n: Int, alpha: Double, a: UnsafePointer<Double>, lda: Int,
    x: UnsafePointer<Double>, incx: Int = 1, beta: Double, y: UnsafeMutablePointer<Double>, incy: Int = 1
) {
    cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, Int32(incx), beta, y, Int32(incy))
}

/// `y = Aᵀ · x` for a row-major `rows × columns` matrix A (so x has `rows` entries and y `columns`), through
/// `cblas_dgemv`.
@inlinable
public func cblasTransposedGEMV(rows: Int, columns: Int, a: UnsafePointer<Double>, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
    cblas_dgemv(CblasRowMajor, CblasTrans, Int32(rows), Int32(columns), 1, a, Int32(columns), x, 1, 0, y, 1)
}

/// Sets how many threads OpenBLAS may use; returns the previous setting.
///
/// Callers that parallelise over chunks themselves set 1 so that BLAS does not oversubscribe the cores. With 1, the
/// server threads OpenBLAS started when it loaded are stopped too: each would otherwise spin (`sched_yield`) a while
/// waiting for work that never comes, taking a core from regionplot's own workers (docs/speed.md). Call it once, at
/// start-up, before any thread uses BLAS: stopping the server threads is not safe while another thread is inside BLAS,
/// and any later call (OpenBLAS 0.3.21) starts them again.
@discardableResult
public func setBLASThreadCount(_ n: Int) -> Int {
    let previous = Int(openblas_get_num_threads())
    openblas_set_num_threads(Int32(n))
    if n == 1 { stopBLASServerThreads() }
    return previous
}

/// Calls OpenBLAS's `blas_thread_shutdown_`, looked up at run time: the pthread and OpenMP builds of OpenBLAS
/// have it, a serial build (no server threads) does not.
private func stopBLASServerThreads() {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "blas_thread_shutdown_") else { return }
    typealias Shutdown = @convention(c) () -> Int32
    _ = unsafeBitCast(symbol, to: Shutdown.self)()
}

/// The index of the largest value, the first on ties (NumPy's `argmax`): the predicted class of a row of logits.
public func argmax(_ values: [Double]) -> Int {
    var best = 0
    for k in values.indices where values[k] > values[best] { best = k }
    return best
}
