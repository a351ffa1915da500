import LinearAlgebra
import NeuralNet
import Support

/// Probes of a network on a slice, with the notebook's semantics: a `resolution × resolution` grid over the
/// square (`linspace(−h, h, G)` on both axes, u varying fastest), each point's activation pattern (the states of
/// its nonlinear units, read off the ordinary forward pass) and its local affine map — every output's gradient
/// in (u, v) and its offset — and the regions the probes find: those maps, deduplicated at the notebook's 1e-3
/// (scaled down with the maps when they are small, see ``tolerance``).
public struct SliceProbe: Sendable {
    /// Points per axis.
    public var resolution: Int
    /// The id of each grid point's pattern, numbered by first appearance.
    public var patternIDs: [Int32]
    /// The distinct patterns (one byte per unit, packed eight to a word).
    public var patterns: PatternTable
    /// For each distinct pattern, the outputs' affine maps (K × 3: ∂/∂u, ∂/∂v, offset).
    public var maps: [[Double]]
    /// Regions found: maps of the distinct patterns, equal when within ``tolerance`` (Euclidean), in order of
    /// appearance.
    public var regionCount: Int
    /// The distance below which two maps are one region: the notebook's 1e-3 (``notebookTolerance``) times the
    /// largest entry of any map when that is below 1. A fixed 1e-3 merges every region of a network whose outputs
    /// are small (logits ≤ 0.13 differ by less than that across the whole square); scaled, a network whose
    /// outputs are all divided by a power of two finds the same regions as the original.
    public var tolerance: Double

    /// Distinct activation patterns among the probe points.
    public var activationPatternCount: Int { patterns.count }

    /// The notebook's tolerance for two probe maps to be one region, used as it is when the maps reach 1.
    public static let notebookTolerance = 1e-3

    /// Probes `network` on `plane`'s square with `resolution` (≥ 2) points per axis.
    public init(network: Network, plane: SlicePlane, resolution: Int, context: ComputeContext = .allCores) {
        precondition(resolution >= 2, "a probe grid needs at least 2 points per axis")
        precondition(network.inputSize == plane.dimension, "the plane's dimension is not the network's input size")
        self.resolution = resolution
        let n = resolution * resolution
        let units = network.nonlinearUnitCount
        let wordsPerPattern = max(1, (units + 7) / 8)
        let h = plane.halfWidth
        @Sendable func axis(_ i: Int) -> Double { linspaceValue(i, from: -h, to: h, count: resolution) }
        // Chunks of points through the forward pass, in parallel; patterns are numbered afterwards, in point order.
        let chunk = Self.chunkRows(network)
        let chunks = (n + chunk - 1) / chunk
        var packed = [UInt64](repeating: 0, count: n * wordsPerPattern)
        let d = plane.dimension
        packed.withUnsafeMutableBufferPointer { out in
            // Each chunk sets the bits of its own points only.
            let base = DisjointWrites(out)
            parallelForEach(count: chunks, context: chunks == 1 ? .serial : context) { c in
                let lo = c * chunk, hi = min(n, lo + chunk)
                var input = [Double](repeating: 0, count: (hi - lo) * d)
                for i in lo..<hi {
                    let u = axis(i % resolution), v = axis(i / resolution)
                    for e in 0..<d { input[(i - lo) * d + e] = plane.origin[e] + u * plane.d1[e] + v * plane.d2[e] }
                }
                let states = network.unitStates(input, rows: hi - lo)
                for i in lo..<hi {
                    for j in 0..<units {
                        base[i * wordsPerPattern + j / 8] |= UInt64(states[(i - lo) * units + j]) << UInt64(8 * (j % 8))
                    }
                }
            }
        }
        var table = PatternTable(wordsPerPattern: wordsPerPattern)
        var ids = [Int32](repeating: 0, count: n)
        packed.withUnsafeBufferPointer { p in
            for i in 0..<n { ids[i] = table.id(of: p.baseAddress! + i * wordsPerPattern) }
        }
        patternIDs = ids
        patterns = table
        // Each pattern's maps, by the slice engine's propagation with the pattern's states.
        let program = SliceProgram(network)
        let root = program.rootValues(input: plane.d1 + plane.d2 + plane.origin)
        let k = network.outputSize
        let patternWords = table.patterns, patternCount = table.count
        let maps = parallelMap(count: patternCount, context: patternCount < 64 ? .serial : context) { id in
            let states = (0..<units).map { j in
                UInt8(truncatingIfNeeded: patternWords[id * wordsPerPattern + j / 8] >> UInt64(8 * (j % 8)))
            }
            let y = program.maps(states: states, root: root)[program.steps.count]
            return (0..<k).flatMap { [y[$0], y[k + $0], y[2 * k + $0]] }
        }
        self.maps = maps
        tolerance = Self.tolerance(for: maps)
        regionCount = Self.distinctMaps(maps, tolerance: tolerance)
    }

    /// ``notebookTolerance`` times the largest magnitude among the maps' entries when that is below 1 (and not 0).
    static func tolerance(for maps: [[Double]]) -> Double {
        let scale = maps.reduce(0.0) { largest, map in map.reduce(largest) { max($0, abs($1)) } }
        guard scale > 0, scale.isFinite else { return notebookTolerance }
        return notebookTolerance * min(1, scale)
    }

    /// Grid points per chunk of the forward pass: 1024, fewer when a chunk's values (every layer's, kept for the
    /// states) would pass 32 MiB — a deep or wide network would otherwise cost gigabytes per thread.
    static func chunkRows(_ network: Network) -> Int {
        max(1, min(1024, (32 << 20) / max(1, bytesPerRow(network))))
    }

    /// Bytes of one row through `unitStates`: every layer's value in float64, and a state byte per unit.
    static func bytesPerRow(_ network: Network) -> Int {
        let elements = network.inputSize + network.layers.reduce(0) { $0 + $1.outputShape.reduce(1, *) }
        return 8 * elements + network.nonlinearUnitCount
    }

    /// Bytes the probes at `resolution` take at most: each point's packed pattern (twice, for the table of
    /// distinct ones in the worst case) and id, and each thread's chunk through the forward pass.
    public static func estimatedBytes(network: Network, resolution: Int, threads: Int) -> Double {
        let points = Double(resolution) * Double(resolution)
        let patternBytes = Double(8 * max(1, (network.nonlinearUnitCount + 7) / 8))
        return points * (2 * patternBytes + 8 + 24 * Double(network.outputSize))
            + Double(max(1, threads)) * Double(chunkRows(network)) * Double(bytesPerRow(network))
    }

    /// Cells of `partition` whose states no probe point has.
    public func missed(by partition: SlicePartition, context: ComputeContext = .serial) -> Int {
        let table = patterns, w = table.wordsPerPattern
        let cells = partition.cells
        // Runs of cells on every thread; the table is only read.
        let run = 4096
        let counts = parallelMap(count: (cells.count + run - 1) / run, context: context) { r -> Int in
            var missed = 0
            var words = [UInt64](repeating: 0, count: w)
            words.withUnsafeMutableBufferPointer { words in
                for cell in cells[(r * run)..<min(cells.count, (r + 1) * run)] {
                    cell.writeStateBytes(into: words)
                    if !table.contains(UnsafePointer(words.baseAddress!)) { missed += 1 }
                }
            }
            return missed
        }
        return counts.reduce(0, +)
    }

    /// ``missed(by:context:)`` as it first was, from each cell's states a byte each: the reference.
    func missedReference(by partition: SlicePartition) -> Int {
        let table = patterns, w = table.wordsPerPattern
        var missed = 0
        var words = [UInt64](repeating: 0, count: w)
        for cell in partition.cells {
            for k in 0..<w { words[k] = 0 }
            for (j, s) in cell.states.enumerated() { words[j / 8] |= UInt64(s) << UInt64(8 * (j % 8)) }
            words.withUnsafeBufferPointer { if !table.contains($0.baseAddress!) { missed += 1 } }
        }
        return missed
    }

    /// The notebook's deduplication on vectors of any length: a map starts a new region when it is at least
    /// `tolerance` (Euclidean) from every region kept so far. Kept maps are hashed by their first three
    /// coordinates in cells of the tolerance, so a close map is looked for in 27 cells only.
    static func distinctMaps(_ maps: [[Double]], tolerance: Double) -> Int {
        struct Key: Hashable { var x: Int64, y: Int64, z: Int64 }
        var cells: [Key: [Int]] = [:]
        var kept: [[Double]] = []
        func coordinate(_ m: [Double], _ i: Int) -> Int64 {
            // A NaN (which the callers' magnitude checks keep out) shares cell 0 rather than trapping in Int(_:).
            guard i < m.count, !m[i].isNaN else { return 0 }
            return Int64(clamping: Int((m[i] / tolerance).rounded(.down).clamped(to: -9e17...9e17)))
        }
        for m in maps {
            let key = Key(x: coordinate(m, 0), y: coordinate(m, 1), z: coordinate(m, 2))
            var found = false
            search: for dx in Int64(-1)...1 {
                for dy in Int64(-1)...1 {
                    for dz in Int64(-1)...1 {
                        for r in cells[Key(x: key.x + dx, y: key.y + dy, z: key.z + dz)] ?? [] {
                            let distance = zip(m, kept[r]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                            if distance < tolerance { found = true; break search }
                        }
                    }
                }
            }
            if !found {
                cells[key, default: []].append(kept.count)
                kept.append(m)
            }
        }
        return kept.count
    }
}

private extension Double {
    func clamped(to range: ClosedRange<Double>) -> Double {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
