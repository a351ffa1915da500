// Matrix products whose every bit depends on the inputs alone.
//
// OpenBLAS picks its kernel at run time from the CPU (Haswell, SkylakeX, Zen, …), and each kernel sums the
// products of an element in its own order and with or without fused multiply-adds, so `sgemm` and `dgemm` differ
// in the last bits from one machine to the next. For a figure of a chaotic training run (grokking's thousands of
// epochs amplify the last bit until the curves differ) that breaks "same seed, same numbers". The products here
// take every element's sum in one fixed order, one rounded product and one rounded addition at a time, in plain
// Swift (which never contracts `a * b + c` into a fused multiply-add nor reassociates a sum), so they give the
// same bits on every CPU. BLAS stays where it is only a speed-up: analyses whose results are rounded, thresholded
// or compared with a tolerance.

/// `C (m×n) = alpha · op(A) · op(B) + beta · C` on row-major buffers, `op` an optional transpose, with each
/// element's sum taken in one fixed order: `s = 0; for p in 0..<k { s += op(A)[i, p] · op(B)[p, j] }`, then
/// `C[i, j] = alpha · s + beta · C[i, j]` (or `alpha · s` when `beta` is 0, so that C may hold anything).
///
/// Bit for bit ``referenceFixedOrderGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)`` on every
/// CPU, and so the same on every machine; slower than BLAS on large products, as fast on the small ones of the toy
/// models. Leading dimensions are the row lengths as stored, as for ``rowMajorGEMM``.
@_specialize(where T == Float)
@_specialize(where T == Double)
public func fixedOrderGEMM<T: BinaryFloatingPoint>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
) {
    guard m > 0, n > 0 else { return }
    // The rows of op(B) must be contiguous for the inner loop: pack Bᵀ once (n · k copies for m · n · k products).
    let packed: UnsafeMutablePointer<T>? = transposeB ? .allocate(capacity: max(k * n, 1)) : nil
    defer { packed?.deallocate() }
    if let packed {
        for j in 0..<n {
            for p in 0..<k { packed[p * n + j] = b[j * ldb + p] }
        }
    }
    let bRows = packed.map { UnsafePointer($0) } ?? b, bStride = transposeB ? n : ldb
    @inline(__always) func elementOfA(_ i: Int, _ p: Int) -> T { transposeA ? a[p * lda + i] : a[i * lda + p] }

    // Four rows of C at a time share each row of op(B); each element still adds its products in order of p.
    let rowsPerBlock = 4
    let sums = UnsafeMutablePointer<T>.allocate(capacity: rowsPerBlock * n)
    defer { sums.deallocate() }
    var i = 0
    while i < m {
        let rows = min(rowsPerBlock, m - i)
        sums.initialize(repeating: 0, count: rowsPerBlock * n)
        for p in 0..<k {
            let bRow = bRows + p * bStride
            if rows == rowsPerBlock {
                let a0 = elementOfA(i, p), a1 = elementOfA(i + 1, p)
                let a2 = elementOfA(i + 2, p), a3 = elementOfA(i + 3, p)
                let s0 = sums, s1 = sums + n, s2 = sums + 2 * n, s3 = sums + 3 * n
                for j in 0..<n {
                    let bj = bRow[j]
                    s0[j] += a0 * bj
                    s1[j] += a1 * bj
                    s2[j] += a2 * bj
                    s3[j] += a3 * bj
                }
            } else {
                for r in 0..<rows {
                    let ar = elementOfA(i + r, p), s = sums + r * n
                    for j in 0..<n { s[j] += ar * bRow[j] }
                }
            }
        }
        for r in 0..<rows {
            let s = sums + r * n, out = c + (i + r) * ldc
            if beta == 0 {
                for j in 0..<n { out[j] = alpha * s[j] }
            } else {
                for j in 0..<n { out[j] = alpha * s[j] + beta * out[j] }
            }
        }
        i += rows
    }
}

/// The slow, obviously correct reference of ``fixedOrderGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``:
/// one element at a time, its sum over p ascending.
public func referenceFixedOrderGEMM<T: BinaryFloatingPoint>(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: T, a: UnsafePointer<T>, lda: Int, b: UnsafePointer<T>, ldb: Int,
    beta: T, c: UnsafeMutablePointer<T>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum: T = 0
            for p in 0..<k {
                let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                sum += x * y
            }
            c[i * ldc + j] = beta == 0 ? alpha * sum : alpha * sum + beta * c[i * ldc + j]
        }
    }
}

extension Matrix {
    /// `C = op(A) · op(B) + beta · C`, the shapes as ``gemm(_:transposeA:_:transposeB:into:alpha:beta:)`` takes
    /// them, with every element summed in one fixed order (``fixedOrderGEMM(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``):
    /// the same bits on every CPU, for the layers of the toy models whose training a figure or a report shows.
    public static func fixedOrderProduct(
        _ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
        into c: inout Matrix, beta: Double = 0
    ) {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows, n = transposeB ? b.rows : b.columns
        precondition(k == kb, "inner dimensions differ: \(k) vs \(kb)")
        precondition(c.rows == m && c.columns == n, "output is \(c.rows)×\(c.columns), product is \(m)×\(n)")
        if k == 0 {
            // An empty sum: C = beta · C (A and B have no elements to point at).
            for index in c.storage.indices { c.storage[index] = beta == 0 ? 0 : beta * c.storage[index] }
            return
        }
        a.storage.withUnsafeBufferPointer { pa in
            b.storage.withUnsafeBufferPointer { pb in
                c.storage.withUnsafeMutableBufferPointer { pc in
                    guard let pa = pa.baseAddress, let pb = pb.baseAddress, let pc = pc.baseAddress else { return }
                    fixedOrderGEMM(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 1,
                                   a: pa, lda: a.columns, b: pb, ldb: b.columns, beta: beta, c: pc, ldc: n)
                }
            }
        }
    }
}
