import Foundation
import LinearAlgebra
import NeuralNet
import RegionAnalysis
import Support
import Testing
@testable import Experiments

/// regions.csv and regions.json: the regions tile the partitioned rectangle, and each region's map, class and
/// pattern are the network's own, checked against the forward pass (an oracle independent of the partition).
@Suite struct RegionTablesTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeuralNetTests/Fixtures/examples").path

    /// Polygons tile the rectangle: areas add up to its area (1e-9 relative), and every one of 2 000 seeded
    /// random points lies inside exactly one polygon (the tiling check that the area sum alone is not).
    func expectTiling(_ document: RegionTables.Document) {
        let total = document.regions.reduce(0) { $0 + $1.area }
        #expect(isApproximatelyEqual(total / document.area, 1, absolute: 1e-9))
        #expect(document.regions.allSatisfy { $0.area > 0 })
        let b = document.bounds
        var g = SeededGenerator(seed: 7)
        for _ in 0..<2000 {
            let u = b[0] + (b[1] - b[0]) * Double.random(in: 0..<1, using: &g)
            let v = b[2] + (b[3] - b[2]) * Double.random(in: 0..<1, using: &g)
            let containing = document.regions.filter { Self.contains($0.vertices, u, v) }.count
            #expect(containing == 1)
        }
    }

    /// Whether (u, v) is inside the counter-clockwise convex polygon (a point within 1e-12 of an edge counts).
    static func contains(_ vertices: [[Double]], _ u: Double, _ v: Double) -> Bool {
        for i in vertices.indices {
            let p = vertices[i], q = vertices[(i + 1) % vertices.count]
            let cross = (q[0] - p[0]) * (v - p[1]) - (q[1] - p[1]) * (u - p[0])
            if cross < -1e-12 { return false }
        }
        return true
    }

    @Test func sliceRegionsTileTheSquareAndCarryTheNetworksMaps() throws {
        let result = try SliceExperiment.run(SliceSettings(
            modelPath: Self.examples + "/ex_mlp.onnx", dataPath: Self.examples + "/digits_test_x.npy",
            rows: [0, 1, 2], grid: 11))
        let tables = RegionTables(result.partition, network: result.network)
        let document = tables.document
        #expect(document.regions.count == result.report.exactRegions)
        #expect(document.patternEncoding == "bits" && document.hasInputVertices)
        expectTiling(document)
        // Each map and class at the centroid equal the forward pass there (1e-9 of the logits' size).
        let network = result.network
        let k = network.outputSize
        let centroids = document.regions.flatMap { result.plane.point($0.centroid[0], $0.centroid[1]) }
        let logits = network.forward(centroids, rows: document.regions.count) as [Double]
        let states = network.unitStates(centroids, rows: document.regions.count)
        let n = network.nonlinearUnitCount
        for (i, region) in document.regions.enumerated() {
            let truth = Array(logits[(i * k)..<((i + 1) * k)])
            let (u, v) = (region.centroid[0], region.centroid[1])
            let mapped = region.map.map { $0[0] * u + $0[1] * v + $0[2] }
            let scale = max(1, truth.map(abs).max()!)
            #expect(zip(mapped, truth).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-9 * scale) })
            #expect(region.class == Prediction.predictedClass(truth))
            // The pattern's bit j is unit j's state at the centroid.
            let bits = states[(i * n)..<((i + 1) * n)].map { $0 != 0 }
            #expect(region.pattern == RegionTables.hexBits(count: n) { bits[$0] })
            let corner = region.inputVertices![0], expected = result.plane.point(region.vertices[0][0],
                                                                                 region.vertices[0][1])
            #expect(zip(corner, expected).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-12) })
        }
        // The CSV has a row per region and the map columns (10 outputs ≤ the limit).
        let table = tables.csv()
        #expect(table.rows.count == document.regions.count)
        #expect(table.columns.count == 6 + 3 * k && table.columns.last == "map_9_c")
    }

    @Test func exactRegionsOfAnMLPTileItsDomain() {
        var g = SeededGenerator(seed: 3)
        let network = MLP(layerWidths: [2, 8, 6, 1], using: &g)
        let domain = Domain(xMin: -2, xMax: 1, yMin: -1, yMax: 1.5)
        let partition = ExactPartition(network: network, domain: domain)
        let document = RegionTables(partition).document
        #expect(document.regions.count == partition.count)
        #expect(document.area == 7.5)
        expectTiling(document)
        let centroids = Matrix(document.regions.map { $0.centroid })
        let outputs = network(centroids)
        for (i, region) in document.regions.enumerated() {
            let value = region.map[0][0] * region.centroid[0] + region.map[0][1] * region.centroid[1] + region.map[0][2]
            #expect(isApproximatelyEqual(value, outputs[i, 0], absolute: 1e-9 * max(1, abs(outputs[i, 0]))))
            #expect(region.class == (outputs[i, 0] > 0 ? 1 : 0))
        }
        let csv = RegionTables(partition).csv()
        #expect(csv.columns == ["id", "pattern", "area", "centroid_u", "centroid_v", "class",
                                "map_0_u", "map_0_v", "map_0_c"])
    }

    @Test func patternsAreOneIntegerWithUnitIAtBitI() {
        // Units 0 and 4 on of 5: the integer 0b1_0001.
        #expect(RegionTables.hexBits(count: 5) { $0 == 0 || $0 == 4 } == "0x11")
        #expect(RegionTables.hexBits(count: 8) { $0 == 7 } == "0x80")
        #expect(RegionTables.hexBits(count: 0) { _ in true } == "0x0")
        #expect(RegionTables.hexBytes(count: 2) { $0 == 0 ? 3 : 0xab } == "0xab03")
    }
}
