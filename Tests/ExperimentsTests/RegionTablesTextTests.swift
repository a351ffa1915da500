import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis
@testable import Support
import Testing
@testable import Experiments

/// regions.csv and regions.json streamed a run of regions at a time are, byte for byte, the text of the reference
/// builders (`RegionTables.document` through `ReportEncoder`, `csv(classNames:)` through `CSVTable.text`) that
/// wrote them before: on bit and byte patterns, with and without input coordinates and class names, cut into
/// pieces at every place and written through the atomic writer on several threads.
@Suite struct RegionTablesTextTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/examples").path

    /// The streamed files against the reference ones, for pieces of 1, 2, 7 regions and the default size.
    func expectSameText(_ tables: RegionTables, classNames: [String]? = nil,
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let json = try ReportEncoder.text(of: tables.document)
        let csv = tables.csv(classNames: classNames).text
        for run in [nil, 1, 2, 7] as [Int?] {
            var cut = tables
            cut.regionsPerPiece = run
            let jsonText = cut.jsonText(), csvText = cut.csvText(classNames: classNames)
            if let run { #expect(jsonText.count == max(1, (tables.count + run - 1) / run), sourceLocation: sourceLocation) }
            #expect(jsonText.text == json, "pieces of \(run.map(String.init) ?? "default")", sourceLocation: sourceLocation)
            #expect(csvText.text == csv, "pieces of \(run.map(String.init) ?? "default")", sourceLocation: sourceLocation)
        }
        // Through the atomic writer on three threads: the same bytes in the file.
        var cut = tables
        cut.regionsPerPiece = 3
        let path = try temporaryPath("regions.json")
        try writeAtomically(cut.jsonText(), to: path, context: ComputeContext(threads: 3))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == json, sourceLocation: sourceLocation)
    }

    func slice(_ model: String, data: String, size: Double) throws -> SliceResult {
        try SliceExperiment.run(SliceSettings(modelPath: Self.examples + "/" + model,
                                              dataPath: Self.examples + "/" + data, rows: [0, 1, 2], size: size,
                                              grid: 11))
    }

    /// The digits MLP (bits, 10 outputs: the map columns, input vertices), with and without class names (one of
    /// them with a comma and a quote, which CSV quotes) and without input coordinates.
    @Test func mlpSliceStreamsTheReferenceBytes() throws {
        let result = try slice("ex_mlp.onnx", data: "digits_test_x.npy", size: 1.5)
        let tables = RegionTables(result.partition, network: result.network)
        #expect(tables.count == 62 && tables.document.patternEncoding == "bits" && tables.document.hasInputVertices)
        try expectSameText(tables)
        try expectSameText(tables, classNames: ["zero", "one, \"uno\"", "two"] + (3..<10).map(String.init))
        let withoutInputs = RegionTables(result.partition, network: result.network, inputCoordinatesLimit: 10)
        #expect(!withoutInputs.document.hasInputVertices)
        try expectSameText(withoutInputs)
    }

    /// The digits CNN: max pooling, so a byte per unit.
    @Test func cnnSliceStreamsTheReferenceBytes() throws {
        let result = try slice("ex_cnn.onnx", data: "digits_test_img.npy", size: 0.05)
        let tables = RegionTables(result.partition, network: result.network)
        #expect(tables.count > 20 && tables.document.patternEncoding == "bytes")
        try expectSameText(tables)
    }

    /// A partition with no regions left: `"regions": []` and a header-only CSV.
    @Test func emptyPartitionStreamsTheReferenceBytes() throws {
        var partition = try slice("ex_mlp.onnx", data: "digits_test_x.npy", size: 0.2).partition
        partition.cells = []
        let tables = RegionTables(partition, network: try ModelFile.read(path: Self.examples + "/ex_mlp.onnx"))
        #expect(try ReportEncoder.text(of: tables.document).contains("\"regions\": []\n}"))
        try expectSameText(tables, classNames: (0..<10).map(String.init))
    }

    /// The main job's partition of a 2-input MLP, with more than 64 units (a pattern of two words).
    @Test func mlpPartitionStreamsTheReferenceBytes() throws {
        var g = SeededGenerator(seed: 5)
        let partition = ExactPartition(network: MLP(layerWidths: [2, 70, 1], using: &g),
                                       domain: Domain(xMin: -2, xMax: 1, yMin: -1, yMax: 1.5))
        let tables = RegionTables(partition)
        #expect(tables.count > 100)
        try expectSameText(tables)
    }
}

/// The bytes of `TextBytes` are those of the reference spellings: `"\(x)"`, `JSONValue.serialized` and
/// `CSVTable.text`.
@Suite struct TextBytesTests {
    static func text(_ build: (inout TextBytes) -> Void) -> String {
        var out = TextBytes()
        build(&out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    @Test func numbersAreSwiftsShortestForm() {
        var g = SeededGenerator(seed: 11)
        var values: [Double] = [0, -0.0, 1, -1, 0.1, 1e-7, 1e16, 1e300, 5e-324, .leastNormalMagnitude,
                                .greatestFiniteMagnitude, .pi, 123_456_789_012_345_678, 2.5e-5, .nan, .infinity,
                                -.infinity]
        for _ in 0..<20_000 { values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &g))) }
        for _ in 0..<2_000 { values.append(Double(Int.random(in: -100_000...100_000, using: &g)) / 64) }
        for value in values where value.isFinite {
            #expect(Self.text { $0.appendShortest(value) } == "\(value)")
        }
        for value in values {
            #expect(Self.text { $0.appendJSON(value) } == JSONValue.number(value).serialized())
            #expect(Self.text { $0.appendCSV(value) } == CSVTable.cell(.double(value)))
        }
    }

    @Test func stringsAndArraysAreJSONValuesSpelling() {
        for s in ["", "plain", "quote \" and \\ slash", "line\nbreak\r\ttab", "\u{1}\u{1f}", "π ≈ 3.14 — ünïcode 🎉"] {
            #expect(Self.text { $0.appendJSON(string: s) } == JSONValue.string(s).serialized())
            #expect(Self.text { $0.appendCSV(.text(s)) } == CSVTable.cell(.text(s)))
        }
        #expect(Self.text { $0.appendJSONNumbers([Double]()) } == JSONValue.numbers([]).serialized())
        #expect(Self.text { $0.appendJSONNumbers([1, .nan, -2.5]) } == JSONValue.numbers([1, .nan, -2.5]).serialized())
        let rows: [[Double]] = [[1, 2], [], [3]]
        #expect(Self.text { $0.appendJSONRows(count: 3, level: 3) { rows[$0] } }
                == JSONValue.array(rows.map(JSONValue.numbers)).serialized(indent: 3))
        #expect(Self.text { $0.appendJSONRows(count: 0, level: 3) { rows[$0] } } == "[]")
        for value in [-12, 0, 7, 10, Int.max, Int.min] {
            #expect(Self.text { $0.append(value) } == String(value))
            #expect(Self.text { $0.appendCSV(.int(value)) } == CSVTable.cell(.int(value)))
        }
    }
}
