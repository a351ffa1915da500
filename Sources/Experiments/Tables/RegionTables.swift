import FoundationEssentials
import NeuralNet
import RegionAnalysis
import Support

/// The regions of an exact partition as data: `regions.csv` (one row per region, for pandas and NumPy) and
/// `regions.json` (each region's polygon in plane and input coordinates), written beside the figures by `slice`,
/// `exact` and the main job.
///
/// `regions.csv` columns: `id, pattern, area, centroid_u, centroid_v, class`, then, when the network has at most
/// ``mapColumnsLimit`` outputs, `map_<k>_u, map_<k>_v, map_<k>_c` for each output k: output k on the region is
/// `map_k_u·u + map_k_v·v + map_k_c`. `class` is the argmax of the outputs at the centroid (the first on ties), or
/// for one output 1 when it is positive. `pattern` is the activation pattern as `0x` and hexadecimal digits of one
/// integer whose bit i is unit i (1 on) — in Python `(int(p, 16) >> i) & 1`; for networks with clip or
/// max-pooling units (more than two states) byte i is unit i's state — `(int(p, 16) >> 8 * i) & 0xff`.
///
/// A slice can have millions of regions and thousands of units (a pattern of kilobytes a region), so the files
/// are made as text a run of regions at a time (``csvText(classNames:)``, ``jsonText()``), on all cores, and
/// written as they are made. ``document`` and ``csv(classNames:)`` build them whole, as they first were: the
/// reference the streamed text is held to, byte for byte, by the tests.
public struct RegionTables: Sendable {
    /// Outputs up to which regions.csv carries each region's affine map (regions.json always does).
    public static let mapColumnsLimit = 10
    /// Numbers of input coordinates (vertices × input size) up to which regions.json lists each vertex in input
    /// space; above it the input coordinates are left to `origin + u·d1 + v·d2` (a 64-input CNN's 58 000 regions
    /// would need some 400 MB of text).
    public static let inputCoordinatesLimit = 4_000_000

    /// `regions.json`.
    public struct Document: Codable, Sendable {
        /// The plane x = origin + u·d1 + v·d2 (a 2-input domain: origin 0, d1 = (1, 0), d2 = (0, 1)).
        public var origin: [Double]
        public var d1: [Double]
        public var d2: [Double]
        /// The rectangle partitioned, in (u, v): [uMin, uMax, vMin, vMax].
        public var bounds: [Double]
        /// Its area; the regions' areas add up to it.
        public var area: Double
        public var outputs: Int
        /// Nonlinear units, and so the pattern's length in units.
        public var units: Int
        /// `bits` (bit i is unit i) or `bytes` (byte i is unit i's state).
        public var patternEncoding: String
        /// Whether each region lists `inputVertices`.
        public var hasInputVertices: Bool
        public var regions: [Region]
    }

    /// One region in `regions.json`.
    public struct Region: Codable, Sendable {
        public var id: Int
        public var pattern: String
        public var area: Double
        public var centroid: [Double]
        public var `class`: Int
        /// Output k on the region is `map[k][0]·u + map[k][1]·v + map[k][2]`.
        public var map: [[Double]]
        /// The polygon's vertices in (u, v), counter-clockwise.
        public var vertices: [[Double]]
        /// The same vertices in input space (nil above ``inputCoordinatesLimit``).
        public var inputVertices: [[Double]]?
    }

    /// Where the regions come from.
    enum Source: Sendable {
        case slice(SlicePartition)
        case exact(ExactPartition)
    }

    let source: Source
    /// The document's fields but its regions (which stay empty).
    let header: Document
    /// Regions per piece of the streamed text; nil sizes the pieces by their bytes (tests set it to cut the text at
    /// many places).
    var regionsPerPiece: Int?

    /// The number of regions.
    public var count: Int {
        switch source {
        case .slice(let partition): partition.count
        case .exact(let partition): partition.count
        }
    }

    /// `regions.json` as one value: the reference for ``jsonText()``, and for small uses.
    public var document: Document {
        var document = header
        switch source {
        case .slice(let partition): document.regions = Self.regions(partition, header: header)
        case .exact(let partition): document.regions = Self.regions(partition)
        }
        return document
    }

    /// The CSV table, one row per region of the document; with `classNames`, a last column `class_name`: the
    /// reference for ``csvText(classNames:)``, and for small uses.
    public func csv(classNames: [String]? = nil) -> CSVTable {
        let document = self.document
        let withMaps = document.outputs <= Self.mapColumnsLimit
        var table = CSVTable(columns: csvColumns(classNames: classNames))
        for region in document.regions {
            var row: [CSVTable.Value] = [.int(region.id), .text(region.pattern), .double(region.area),
                                         .double(region.centroid[0]), .double(region.centroid[1]),
                                         .int(region.class)]
            if withMaps { row += region.map.flatMap { $0.map(CSVTable.Value.double) } }
            if let classNames { row.append(.text(classNames.indices.contains(region.class)
                ? classNames[region.class] : String(region.class))) }
            table.append(row)
        }
        return table
    }

    /// regions.csv's columns: the map columns for up to ``mapColumnsLimit`` outputs, `class_name` with names.
    func csvColumns(classNames: [String]?) -> [String] {
        var columns = ["id", "pattern", "area", "centroid_u", "centroid_v", "class"]
        if header.outputs <= Self.mapColumnsLimit {
            for k in 0..<header.outputs { columns += ["map_\(k)_u", "map_\(k)_v", "map_\(k)_c"] }
        }
        if classNames != nil { columns.append("class_name") }
        return columns
    }

    /// The regions of a slice's partition, `network` being the network partitioned; regions.json lists the
    /// vertices in input space when there are at most `inputCoordinatesLimit` of their coordinates.
    public init(_ partition: SlicePartition, network: Network,
                inputCoordinatesLimit: Int = Self.inputCoordinatesLimit) {
        let plane = partition.plane
        let multiState = network.layers.contains { $0.operation.unitStateCount > 2 }
        let vertexCount = partition.cells.reduce(0) { $0 + $1.vertices.count }
        let withInputs = vertexCount * plane.dimension <= inputCoordinatesLimit
        let h = plane.halfWidth
        source = .slice(partition)
        header = Document(origin: plane.origin, d1: plane.d1, d2: plane.d2, bounds: [-h, h, -h, h],
                          area: 4 * h * h, outputs: partition.outputs, units: partition.unitCount,
                          patternEncoding: multiState ? "bytes" : "bits", hasInputVertices: withInputs, regions: [])
    }

    /// The regions of a slice's partition as `regions.json` lists them (the reference builder).
    private static func regions(_ partition: SlicePartition, header: Document) -> [Region] {
        let plane = partition.plane
        let multiState = header.patternEncoding == "bytes", withInputs = header.hasInputVertices
        return partition.cells.enumerated().map { id, cell in
            let centroid = cell.centroid
            let states = cell.states
            let pattern = multiState
                ? Self.hexBytes(count: states.count) { states[$0] }
                : Self.hexBits(count: states.count) { states[$0] != 0 }
            let m = cell.outputMap
            return Region(
                id: id, pattern: pattern, area: cell.area, centroid: [centroid.x, centroid.y],
                class: Self.predictedClass(cell.outputs(at: centroid)),
                map: (0..<(m.count / 3)).map { Array(m[(3 * $0)..<(3 * $0 + 3)]) },
                vertices: cell.vertices.map { [$0.x, $0.y] },
                inputVertices: withInputs ? cell.vertices.map { plane.point($0.x, $0.y) } : nil)
        }
    }

    /// The regions of a 2-input, 1-output ReLU MLP's partition of its domain (the main job's and `exact`'s).
    public init(_ partition: ExactPartition) {
        let d = partition.domain
        source = .exact(partition)
        header = Document(origin: [0, 0], d1: [1, 0], d2: [0, 1], bounds: [d.xMin, d.xMax, d.yMin, d.yMax],
                          area: d.area, outputs: 1, units: partition.hiddenUnits, patternEncoding: "bits",
                          hasInputVertices: true, regions: [])
    }

    /// The regions of an MLP's partition as `regions.json` lists them (the reference builder).
    private static func regions(_ partition: ExactPartition) -> [Region] {
        let units = partition.hiddenUnits
        return partition.cells.enumerated().map { id, cell in
            let centroid = cell.centroid
            let pattern = cell.withPattern { words in
                Self.hexBits(count: units) { words[$0 / 64] >> UInt64($0 % 64) & 1 != 0 }
            }
            let map = [cell.gradient.x, cell.gradient.y, cell.offset]
            let vertices = cell.vertices.map { [$0.x, $0.y] }
            return Region(
                id: id, pattern: pattern, area: cell.area, centroid: [centroid.x, centroid.y],
                class: Self.predictedClass([map[0] * centroid.x + map[1] * centroid.y + map[2]]),
                map: [map], vertices: vertices, inputVertices: vertices)
        }
    }

    /// The argmax (the first on ties), or for one output 1 when it is positive: the partitions' own rule.
    static func predictedClass(_ outputs: [Double]) -> Int {
        if outputs.count == 1 { return outputs[0] > 0 ? 1 : 0 }
        var best = 0
        for k in outputs.indices where outputs[k] > outputs[best] { best = k }
        return best
    }

    /// `0x` and ⌈count / 4⌉ hexadecimal digits of the integer whose bit i is `bit(i)`.
    static func hexBits(count: Int, _ bit: (Int) -> Bool) -> String {
        let digits = (count + 3) / 4
        guard digits > 0 else { return "0x0" }
        var text = "0x"
        text.reserveCapacity(2 + digits)
        for digit in stride(from: digits - 1, through: 0, by: -1) {
            var value = 0
            for b in 0..<4 where 4 * digit + b < count && bit(4 * digit + b) { value |= 1 << b }
            text.append(Self.hexDigits[value])
        }
        return text
    }

    /// `0x` and two hexadecimal digits per unit of the integer whose byte i is `byte(i)`.
    static func hexBytes(count: Int, _ byte: (Int) -> UInt8) -> String {
        guard count > 0 else { return "0x0" }
        var text = "0x"
        for unit in stride(from: count - 1, through: 0, by: -1) {
            let value = Int(byte(unit))
            text.append(Self.hexDigits[value >> 4])
            text.append(Self.hexDigits[value & 15])
        }
        return text
    }

    private static let hexDigits = Array("0123456789abcdef")
}
