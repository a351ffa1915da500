import RegionAnalysis
import Support

/// regions.csv and regions.json as text made a run of regions at a time: the bytes `csv(classNames:).text` and
/// `ReportEncoder.text(of: document)` would be, without the table or the tree in memory.
extension RegionTables {
    /// Bytes of text per piece that the runs of regions aim at: a few pieces per thread in memory at once.
    static let pieceBytes = 1 << 21

    /// `regions.csv`, a run of rows per piece; with `classNames`, a last column `class_name`.
    public func csvText(classNames: [String]? = nil) -> ChunkedText {
        let outputs = header.outputs
        let withMaps = outputs <= Self.mapColumnsLimit
        let columns = csvColumns(classNames: classNames)
        let runs = runLength(numbersPerRegion: 4 + (withMaps ? 3 * outputs : 0), withPolygons: false)
        return ChunkedText(count: max(1, (count + runs - 1) / runs)) { [self, columns] piece, out in
            if piece == 0 {
                for (i, column) in columns.enumerated() {
                    if i > 0 { out.append(byte: UInt8(ascii: ",")) }
                    out.appendCSV(.text(column))
                }
                out.append(byte: UInt8(ascii: "\n"))
            }
            for id in (piece * runs)..<min(count, (piece + 1) * runs) {
                let region = summary(id)
                let comma = UInt8(ascii: ",")
                out.append(id)
                out.append(byte: comma)
                appendPattern(id, into: &out)
                for value in [region.area, region.centroid.x, region.centroid.y] {
                    out.append(byte: comma)
                    out.appendCSV(value)
                }
                out.append(byte: comma)
                out.append(region.predicted)
                if withMaps {
                    for value in region.map {
                        out.append(byte: comma)
                        out.appendCSV(value)
                    }
                }
                if let classNames {
                    out.append(byte: comma)
                    out.appendCSV(.text(classNames.indices.contains(region.predicted)
                        ? classNames[region.predicted] : String(region.predicted)))
                }
                out.append(byte: UInt8(ascii: "\n"))
            }
        }
    }

    /// `regions.json`, a run of regions per piece (the first piece also has the plane and the counts, the last
    /// the closing brackets).
    public func jsonText() -> ChunkedText {
        let header = header, count = count
        let inputs = header.hasInputVertices ? header.origin.count : 0
        let runs = runLength(numbersPerRegion: 3 + 3 * header.outputs, withPolygons: true, inputs: inputs)
        let pieces = max(1, (count + runs - 1) / runs)
        return ChunkedText(count: pieces) { [self] piece, out in
            if piece == 0 {
                out.append(byte: UInt8(ascii: "{"))
                for (key, values) in [("origin", header.origin), ("d1", header.d1), ("d2", header.d2),
                                      ("bounds", header.bounds)] {
                    out.appendJSONKey(key, level: 0, first: key == "origin")
                    out.appendJSONNumbers(values)
                }
                out.appendJSONKey("area", level: 0)
                out.appendJSON(header.area)
                out.appendJSONKey("outputs", level: 0)
                out.append(header.outputs)
                out.appendJSONKey("units", level: 0)
                out.append(header.units)
                out.appendJSONKey("patternEncoding", level: 0)
                out.appendJSON(string: header.patternEncoding)
                out.appendJSONKey("hasInputVertices", level: 0)
                out.append(header.hasInputVertices ? "true" : "false")
                out.appendJSONKey("regions", level: 0)
                out.append(count == 0 ? "[]" : "[\n")
            }
            for id in (piece * runs)..<min(count, (piece + 1) * runs) {
                if id > 0 { out.append(",\n") }
                appendJSONRegion(id, into: &out)
            }
            if piece == pieces - 1 { out.append(count == 0 ? "\n}\n" : "\n  ]\n}\n") }
        }
    }

    /// Region `id` as an element of the `regions` array: an object at the third level of the document.
    private func appendJSONRegion(_ id: Int, into out: inout TextBytes) {
        let region = summary(id)
        out.appendSpaces(4)
        out.append(byte: UInt8(ascii: "{"))
        out.appendJSONKey("id", level: 2, first: true)
        out.append(id)
        out.appendJSONKey("pattern", level: 2)
        out.append(byte: UInt8(ascii: "\""))
        appendPattern(id, into: &out)
        out.append(byte: UInt8(ascii: "\""))
        out.appendJSONKey("area", level: 2)
        out.appendJSON(region.area)
        out.appendJSONKey("centroid", level: 2)
        out.appendJSONNumbers([region.centroid.x, region.centroid.y])
        out.appendJSONKey("class", level: 2)
        out.append(region.predicted)
        out.appendJSONKey("map", level: 2)
        let map = region.map
        out.appendJSONRows(count: map.count / 3, level: 3) { map[(3 * $0)..<(3 * $0 + 3)] }
        let vertices = region.vertices
        out.appendJSONKey("vertices", level: 2)
        out.appendJSONRows(count: vertices.count, level: 3) { [vertices[$0].x, vertices[$0].y] }
        out.appendJSONKey("inputVertices", level: 2)
        if !header.hasInputVertices {
            out.append("null")
        } else {
            switch source {
            case .slice(let partition):
                let plane = partition.plane
                out.appendJSONRows(count: vertices.count, level: 3) { plane.point(vertices[$0].x, vertices[$0].y) }
            case .exact:
                out.appendJSONRows(count: vertices.count, level: 3) { [vertices[$0].x, vertices[$0].y] }
            }
        }
        out.append(byte: UInt8(ascii: "\n"))
        out.appendSpaces(4)
        out.append(byte: UInt8(ascii: "}"))
    }

    /// What both files say of region `id` beside its pattern: the same expressions as the reference builders.
    private func summary(_ id: Int) -> (area: Double, centroid: Point2, predicted: Int, map: [Double],
                                        vertices: [Point2]) {
        switch source {
        case .slice(let partition):
            let cell = partition.cells[id]
            let centroid = cell.centroid
            return (cell.area, centroid, Self.predictedClass(cell.outputs(at: centroid)), cell.outputMap,
                    cell.vertices)
        case .exact(let partition):
            let cell = partition.cells[id]
            let centroid = cell.centroid
            let map = [cell.gradient.x, cell.gradient.y, cell.offset]
            return (cell.area, centroid, Self.predictedClass([map[0] * centroid.x + map[1] * centroid.y + map[2]]),
                    map, cell.vertices)
        }
    }

    /// Region `id`'s pattern: `0x` and hexadecimal digits, as ``hexBits(count:_:)`` and ``hexBytes(count:_:)``
    /// spell it.
    private func appendPattern(_ id: Int, into out: inout TextBytes) {
        switch source {
        case .slice(let partition):
            // From the packed words: no byte-per-unit copy of a pattern of thousands of units per region.
            partition.cells[id].appendPattern(bytes: header.patternEncoding == "bytes", into: &out)
        case .exact(let partition):
            let units = header.units
            partition.cells[id].withPattern { words in
                Self.appendHexBits(count: units, into: &out) { words[$0 / 64] >> UInt64($0 % 64) & 1 != 0 }
            }
        }
    }

    /// `0x` and ⌈count / 4⌉ hexadecimal digits of the integer whose bit i is `bit(i)` (`0x0` for no bits).
    static func appendHexBits(count: Int, into out: inout TextBytes, _ bit: (Int) -> Bool) {
        out.append("0x")
        let digits = (count + 3) / 4
        guard digits > 0 else { out.append(byte: UInt8(ascii: "0")); return }
        for digit in stride(from: digits - 1, through: 0, by: -1) {
            var value = 0
            for b in 0..<4 where 4 * digit + b < count && bit(4 * digit + b) { value |= 1 << b }
            out.append(byte: hexDigitBytes[value])
        }
    }

    private static let hexDigitBytes = Array("0123456789abcdef".utf8)

    /// Regions per piece: about ``pieceBytes`` of text each, judged from the pattern's digits, the numbers per
    /// region (and, with `withPolygons`, per vertex: two, plus `inputs` in input space).
    private func runLength(numbersPerRegion: Int, withPolygons: Bool, inputs: Int = 0) -> Int {
        if let regionsPerPiece { return regionsPerPiece }
        let patternDigits = header.patternEncoding == "bytes" ? 2 * header.units : header.units / 4
        var numbers = Double(numbersPerRegion)
        if withPolygons, count > 0 {
            let vertices: Int
            switch source {
            case .slice(let partition): vertices = partition.cells.reduce(0) { $0 + $1.vertices.count }
            case .exact(let partition): vertices = partition.cells.reduce(0) { $0 + $1.vertices.count }
            }
            numbers += Double(vertices) / Double(count) * Double(2 + inputs)
        }
        // About 24 bytes a number with its separator and indentation, and 100 for the keys.
        let bytesPerRegion = Double(patternDigits) + 24 * numbers + 100
        return max(1, Int(Double(Self.pieceBytes) / bytesPerRegion))
    }
}
