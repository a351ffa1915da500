import Foundation
import LinearAlgebra
import NeuralNet
import Testing

// Finite but absurd networks and analyses without a memory bound (issue 23, items 1, 2 and 6), end to end: every
// command refuses them with one line on stderr, an exit between 1 and 127, no report and nothing left behind.
// The files are built here; scripts/make_absurd_nets.py writes the same cases for measuring by hand.

/// A chain 2 → `width` → … → `outputs` of `depth` dense layers whose weights alternate in sign (so that units
/// split the plane) with magnitude `scale`, and biases `scale / 2`.
func absurdMLP(depth: Int = 2, width: Int = 8, outputs: Int = 1, inputs: Int = 2, scale: Double) -> MLP {
    let widths = [inputs] + Array(repeating: width, count: depth - 1) + [outputs]
    return MLP(layers: zip(widths, widths.dropFirst()).map { n, m in
        let w = (0..<(m * n)).map { (k: Int) -> Double in
            let sign: Double = k % 3 == 0 ? -1 : 1
            return sign * scale * (1 + 0.1 * Double(k / n))
        }
        return Dense(weight: Matrix(rows: m, columns: n, storage: w), bias: Array(repeating: scale / 2, count: m))
    })
}

/// `mlp` as a float64 safetensors file in a fresh folder.
func safetensorsPath(_ mlp: MLP, name: String = "net.safetensors") throws -> String {
    try temporaryFile(Safetensors.encode(mlp), name: name)
}

/// Runs `arguments` (with `--out` a fresh folder when `out` is set) and checks the house rule for bad input: one
/// line on stderr that contains `message`, an exit between 1 and 127, and no report, figure or temporary in the
/// output folder (absent, or empty).
func expectRefusal(_ arguments: [String], containing message: String, out: String? = nil,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let r = try run(arguments + (out.map { ["--out", $0] } ?? []))
    #expect((1...127).contains(r.status), "\(arguments): status \(r.status)", sourceLocation: sourceLocation)
    #expect(r.stderr.hasPrefix("regionplot: error: ") && r.stderr.filter { $0 == "\n" }.count == 1,
            "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
    #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
    if let out {
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
        #expect(left.isEmpty, "\(arguments) left \(left)", sourceLocation: sourceLocation)
    }
}

@Suite struct AbsurdNetworks {
    /// The issue's files: weights of 1e308 (the forward pass overflows), a 3-class net of 1e300, thirty layers
    /// that grow ×1e11 (values past 1e100 at layer 18), weights of 1e150 (finite logits, squares overflow).
    static let cases: [(name: String, mlp: MLP, layer: String)] = [
        ("overflow-1e308", absurdMLP(scale: 1e308), #"layer 0 "0" (dense)"#),
        ("three-class-1e300", absurdMLP(outputs: 3, scale: 1e300), #"layer 0 "0" (dense)"#),
        ("grows-1e11", absurdMLP(depth: 30, width: 1, scale: 1e11), #"(dense)"#),
        ("huge-1e150", absurdMLP(scale: 1e150), #"layer 0 "0" (dense)"#),
    ]

    @Test(arguments: cases.indices)
    func exactSliceAndTheMainJobRefuseThem(_ index: Int) throws {
        let (name, mlp, layer) = Self.cases[index]
        let path = try safetensorsPath(mlp, name: name + ".safetensors")
        if mlp.outputDimension == 1 {
            try expectRefusal(["exact", "--net", path], containing: layer, out: temporaryFolder())
            try expectRefusal(["--net-a", path, "--net-b", path, "--grid", "11", "--no-figures"], containing: layer,
                              out: temporaryFolder())
        }
        try expectRefusal(["slice", "--model", path], containing: layer, out: temporaryFolder())
    }

    /// `predict` on an overflowing net: an error naming the layer, not 900 null logits; no JSON written.
    @Test func predictRefusesNonFiniteLogits() throws {
        let path = try safetensorsPath(absurdMLP(outputs: 3, scale: 1e300))
        let data = try temporaryFile(float64Npy((0..<1800).map { Double($0 % 17) / 8 - 1 }, shape: [900, 2]),
                                     name: "x.npy")
        let json = temporaryFolder() + ".json"
        try expectRefusal(["predict", "--model", path, "--data", data, "--json", json],
                          containing: "gives a non-finite value")
        #expect(!FileManager.default.fileExists(atPath: json))
    }

    /// `compare` on a 64 → 16 → 10 net of 1e300 beside a sane one.
    @Test func compareRefusesThem() throws {
        let bad = try safetensorsPath(absurdMLP(width: 16, outputs: 10, inputs: 64, scale: 1e300), name: "a.safetensors")
        var generator = SeededGenerator(seed: 1)
        let good = try safetensorsPath(MLP(layerWidths: [64, 16, 10], using: &generator), name: "b.safetensors")
        let data = try temporaryFile(float64Npy((0..<(64 * 40)).map { Double($0 % 17) }, shape: [40, 64]),
                                     name: "x.npy")
        let labels = try temporaryFile(int64Npy((0..<40).map { $0 % 10 }, shape: [40]), name: "y.npy")
        try expectRefusal(["compare", "--model-a", bad, "--model-b", good, "--data", data, "--labels", labels,
                           "--test-data", data, "--test-labels", labels, "--clusters", "2"],
                          containing: #"a.safetensors: layer 0 "0" (dense): its values may reach"#,
                          out: temporaryFolder())
    }

    /// `bench` on pairs read with --nets-from.
    @Test func benchRefusesThem() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for label in ["a", "b"] {
            try Safetensors.encode(absurdMLP(scale: 1e150)).write(to: URL(fileURLWithPath: "\(folder)/8-\(label).safetensors"))
        }
        try expectRefusal(["bench", "--nets", "8", "--nets-from", folder, "--grids", "11"],
                          containing: "8-a.safetensors: layer 0")
    }

    /// 3 000 dense layers of ×1.141 as ONNX: the logits are finite (about 1e172), so `predict` answers; the slice
    /// and exact engines would meet values past 1e100, so `slice` refuses, naming the layer.
    @Test func aDeepONNXChainWithFiniteLogits() throws {
        let chain = MLP(layers: (0..<3000).map { _ in
            Dense(weight: Matrix(rows: 2, columns: 2, storage: [1.141, 0, 0, 1.141]), bias: [0.01, 0.01])
        })
        let path = try temporaryFile(try MLPExport.onnx(chain), name: "deep.onnx")
        let data = try temporaryFile(float64Npy([1, 1, 0.5, 0.25], shape: [2, 2]), name: "x.npy")
        let predicted = try run(["predict", "--model", path, "--data", data])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        try expectRefusal(["slice", "--model", path], containing: "(dense): its values may reach",
                          out: temporaryFolder())
    }
}

@Suite struct UnboundedMemory {
    /// 2 → 10 000 → 1 (240 KB): up to 5e7 regions, refused before anything is allocated — by `exact` (with what it
    /// would need and the flag that sets the limit) and by the main job with --exact (with --no-exact).
    @Test func aWideNetsExactPartitionIsRefused() throws {
        let path = try safetensorsPath(absurdMLP(width: 10_000, scale: 1))
        try expectRefusal(["exact", "--net", path], containing: "may hold up to 5e+07 regions (10000 hidden units) "
                              + "and need about", out: temporaryFolder())
        try expectRefusal(["exact", "--net", path, "--max-regions", "1000000"],
                          containing: "more than --max-regions 1000000")
        try expectRefusal(["--net-a", path, "--net-b", path, "--exact", "--grid", "11"], containing: "--no-exact",
                          out: temporaryFolder())
        try expectRefusal(["--width", "10000", "--exact"], containing: "--no-exact skips them", out: temporaryFolder())
    }

    /// `bench --nets 64x5000`: 1.6e9 weights a net, refused with what it would need.
    @Test func aDeepBenchIsRefused() throws {
        try expectRefusal(["bench", "--nets", "64x5000", "--grids", "11"], containing: "--nets 64x5000 needs about")
    }

    /// A small net still passes --max-regions: 2 → 8 → 1 has at most 37 regions.
    @Test func maxRegionsLetsSmallNetsThrough() throws {
        var generator = SeededGenerator(seed: 2)
        let path = try safetensorsPath(MLP(layerWidths: [2, 8, 1], using: &generator))
        let r = try run(["exact", "--net", path, "--max-regions", "37", "--grid", "11"])
        #expect(r.status == 0, "\(r.stderr)")
        try expectRefusal(["exact", "--net", path, "--max-regions", "36"], containing: "up to 37 regions")
    }
}

/// The analysis fuzz target's committed corpus replayed through it (slice, exact and predict on each file): every
/// file gives a result or an error, and the replay ends normally.
@Test(arguments: ["safetensors", "onnx", "npy"])
func analysisFuzzCorpusRunsWithoutCrashing(reader: String) throws {
    let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/corpus-analysis/" + reader).standardizedFileURL.path
    let process = Process()
    process.executableURL = regionplotBinary().deletingLastPathComponent().appendingPathComponent("FuzzReaders")
    process.arguments = ["analysis-" + reader, corpus]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let lines = text.split(separator: "\n")
    #expect(lines.count == (try FileManager.default.contentsOfDirectory(atPath: corpus)).count)
    #expect(lines.allSatisfy { $0.hasPrefix("ok ") || $0.hasPrefix("error ") })
    #expect(lines.contains { $0.contains("slice ") && $0.contains(" regions") })
}
