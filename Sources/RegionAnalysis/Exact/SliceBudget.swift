import LinearAlgebra
import NeuralNet
import Support
import Synchronization

/// Bounds on the work of a slice, checked before the walk (an estimate) and during it (the cells made so far).
public struct SliceLimits: Sendable, Equatable {
    /// Stop when the slice has more linear regions than this; nil: as many as `memoryBytes` allows.
    public var maxRegions: Int?
    /// Memory the partition may use, in bytes.
    public var memoryBytes: Double

    public init(maxRegions: Int? = nil, memoryBytes: Double = .infinity) {
        self.maxRegions = maxRegions
        self.memoryBytes = memoryBytes
    }

    /// No bound but the machine's.
    public static let unlimited = SliceLimits()

    /// Layers a slice walks at most: the walk keeps one value per layer per thread, so a graph of a million
    /// layers is refused before it is compiled rather than paid for.
    public static let maximumLayers = 10_000
}

/// Why a slice was stopped: the numbers behind it, for the caller to phrase in its own words (and flags).
public struct SliceLimitError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The estimate before the walk: `regions` from the first nonlinear layer's lines alone.
        case estimate(layer: String, lines: Int, crossings: Double)
        /// More than `regions` regions were made; the count bound stopped the walk.
        case regionCount
        /// More than `regions` regions were made; the memory bound stopped the walk.
        case memory
        /// The values the walk carries per thread do not fit.
        case walkState
    }
    public var kind: Kind
    /// Regions estimated, or made when the walk stopped.
    public var regions: Double
    /// Bytes the slice would need at least.
    public var bytes: Double
    /// The limits that were exceeded.
    public var limits: SliceLimits

    public var description: String {
        let size = memorySizeText(bytes)
        switch kind {
        case .estimate(let layer, let lines, let crossings):
            return "the slice would have about \(Int(regions)) linear regions (layer '\(layer)' alone: \(lines) lines "
                + "crossing \(Int(crossings)) times in the square), about \(size)"
        case .regionCount: return "the slice has more than \(Int(regions)) linear regions"
        case .memory: return "the slice needs more than \(size) (over \(Int(regions)) linear regions)"
        case .walkState: return "the network's values on a slice need \(size)"
        }
    }
}

/// What a slice's partition costs, before it is computed.
public struct SliceEstimate: Sendable {
    /// Bytes of one finished cell (its polygon, states, output map and decision pieces, with the arrays' headers).
    public var bytesPerCell: Double
    /// Bytes of the values one thread of the walk carries (a 3 × n map per layer, twice over while a layer runs).
    public var walkBytesPerThread: Double
    /// The nonlinear layer that first cuts the square, its lines crossing the square and their crossings inside
    /// it (exact up to 2 048 lines, else estimated from a seeded sample of pairs), when it is a ReLU-like layer.
    public var firstLayer: (name: String, lines: Int, crossings: Double)?

    /// Regions of the first nonlinear layer alone: 1 + lines + crossings for lines in general position — a lower
    /// bound on the slice's regions up to coincident crossings, as later layers only cut cells further.
    public var firstLayerRegions: Double { firstLayer.map { 1 + Double($0.lines) + $0.crossings } ?? 1 }
}

/// Shared among the walk's workers: the cells made so far, and whether the walk must stop.
final class SliceBudget: Sendable {
    let maxCells: Int
    let cells = Atomic<Int>(0)
    let exceeded = Atomic<Bool>(false)
    /// Told the cells made so far each time they pass a power of two from 2^16 on (a handful of lines a run).
    let progress: (@Sendable (Int) -> Void)?

    init(maxCells: Int, progress: (@Sendable (Int) -> Void)? = nil) {
        self.maxCells = maxCells
        self.progress = progress
    }

    /// Counts `n` more cells (or pieces); false once the total is over the bound.
    func add(_ n: Int) -> Bool {
        let total = cells.wrappingAdd(n, ordering: .relaxed).newValue
        if total > maxCells { exceeded.store(true, ordering: .relaxed) }
        if let progress, total >= 1 << 16, n > 0, (total - n).leadingZeroBitCount != total.leadingZeroBitCount {
            progress(total)
        }
        return total <= maxCells
    }

    /// Whether `pieces` more, on top of the cells so far, would be over the bound (a split's work list).
    func wouldExceed(_ pieces: Int) -> Bool {
        if cells.load(ordering: .relaxed) + pieces > maxCells { exceeded.store(true, ordering: .relaxed) }
        return isExceeded
    }

    var isExceeded: Bool { exceeded.load(ordering: .relaxed) }
}

extension SlicePartition {
    /// The cost of slicing `network` on `plane`: bytes per cell and per thread, and the first nonlinear layer's
    /// regions (see ``SliceEstimate``). Runs the affine layers before the first nonlinear one once.
    public static func estimate(network: Network, plane: SlicePlane) -> SliceEstimate {
        estimate(program: SliceProgram(network), network: network, plane: plane)
    }

    /// Bytes of one finished cell of `network` (see ``SliceEstimate/bytesPerCell``), without compiling it: the
    /// compiled program's affine layers cost far more than this (every convolution read off its forward pass).
    public static func bytesPerCell(network: Network) -> Double {
        // The largest state decides the bits a cell keeps per unit (`PackedStates`).
        var largest = 1
        for layer in network.layers {
            switch layer.operation {
            case .clip: largest = max(largest, 2)
            case .maxPool(let p): largest = max(largest, p.kernel.height * p.kernel.width - 1)
            default: break
            }
        }
        let bits = largest < 2 ? 1 : (largest < 4 ? 2 : (largest < 16 ? 4 : 8))
        return 512 + PackedStates.bytes(units: network.nonlinearUnitCount, bits: bits) + 24 * Double(network.outputSize)
    }

    /// ``estimate(network:plane:)`` with the program already compiled (the partition compiles it once for both).
    static func estimate(program: SliceProgram, network: Network, plane: SlicePlane) -> SliceEstimate {
        let valueElements = program.sizes.reduce(0, +)
        var estimate = SliceEstimate(
            bytesPerCell: bytesPerCell(network: network),
            walkBytesPerThread: 2 * 24 * Double(valueElements) + Double(program.unitCount), firstLayer: nil)
        let k = program.firstNonlinear
        guard k < program.steps.count else { return estimate }
        let values = program.rootValues(input: plane.d1 + plane.d2 + plane.origin)
        let z = values[program.inputs[k][0]]
        let n = program.sizes[program.inputs[k][0]]
        guard let shifts = program.breakpoints(k) else { return estimate }
        let lines = linesCrossingSquare(count: n * shifts.count, halfWidth: plane.halfWidth) { index in
            let (j, s) = (index / shifts.count, shifts[index % shifts.count])
            return Line(a: z[j], b: z[n + j], c: z[2 * n + j] - s)
        }
        let count = lines.count
        let crossings = crossingsInside(lines, halfWidth: plane.halfWidth)
        estimate.firstLayer = (network.layers[k].name, count, crossings)
        return estimate
    }
}

/// The lines among `count` (`line(j)`, in order) that cross the square [−h, h]²: their values at its corners are not
/// all on one side.
func linesCrossingSquare(count: Int, halfWidth h: Double, line: (Int) -> Line) -> [Line] {
    var lines: [Line] = []
    for j in 0..<count {
        let f = line(j)
        let corners = [f.value(Point2(-h, -h)), f.value(Point2(h, -h)), f.value(Point2(h, h)), f.value(Point2(-h, h))]
        if corners.min()! < 0 && corners.max()! > 0 { lines.append(f) }
    }
    return lines
}

/// The crossings of `lines` inside the square [−h, h]²: counted pair by pair up to 2 048 lines, else the share of a
/// seeded sample of 2^20 pairs that cross inside, times the pairs.
func crossingsInside(_ lines: [Line], halfWidth h: Double) -> Double {
    func crossesInside(_ f: Line, _ g: Line) -> Bool {
        let det = f.a * g.b - f.b * g.a
        guard det != 0 else { return false }
        let u = (f.b * g.c - g.b * f.c) / det, v = (g.a * f.c - f.a * g.c) / det
        return abs(u) < h && abs(v) < h
    }
    let count = lines.count
    var crossings = 0.0
    if count <= 2048 {
        for i in 0..<count { for j in (i + 1)..<count where crossesInside(lines[i], lines[j]) { crossings += 1 } }
    } else {
        var generator = SeededGenerator(seed: 0x51ce)
        let samples = 1 << 20
        var hits = 0
        for _ in 0..<samples {
            let i = Int(generator.next() % UInt64(count))
            var j = Int(generator.next() % UInt64(count - 1))
            if j >= i { j += 1 }
            if crossesInside(lines[i], lines[j]) { hits += 1 }
        }
        crossings = Double(hits) / Double(samples) * Double(count) * Double(count - 1) / 2
    }
    return crossings
}
