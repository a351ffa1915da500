import Foundation
import Testing

/// A safetensors ReLU MLP (`nn.Sequential` names, F32) with seeded uniform weights in ±1: `widths` from input to
/// output.
func mlpSafetensors(_ widths: [Int], seed: UInt64) throws -> String {
    var state = seed
    func uniform() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 11) / Float(1 << 53) * 2 - 1
    }
    var entries: [(String, [Int], [Float])] = []
    for k in 1..<widths.count {
        let (n, m) = (widths[k - 1], widths[k])
        entries.append(("\(2 * (k - 1)).weight", [m, n], (0..<(m * n)).map { _ in uniform() }))
        entries.append(("\(2 * (k - 1)).bias", [m], (0..<m).map { _ in uniform() }))
    }
    var offset = 0
    let header = "{" + entries.map { name, shape, values in
        defer { offset += 4 * values.count }
        return "\"\(name)\":{\"dtype\":\"F32\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],"
            + "\"data_offsets\":[\(offset),\(offset + 4 * values.count)]}"
    }.joined(separator: ",") + "}"
    var data = Data()
    withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
    data.append(contentsOf: Array(header.utf8))
    for (_, _, values) in entries {
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    }
    return try hostileFile(data)
}

/// Issue 23, item 2, end to end: a slice that would not fit is refused up front with one line that says what it
/// needs and which flag lowers it; `--max-regions` stops one that has more regions than asked.
@Suite struct SliceLimitsEndToEnd {
    /// 2 → 10 000 → 1 (160 KB): tens of millions of regions, hundreds of GiB. It segfaulted under a 4 GB limit;
    /// now one line, in seconds, before anything is allocated.
    @Test func aHugeSliceIsRefusedUpFront() throws {
        let model = try mlpSafetensors([2, 10_000, 1], seed: 1)
        let out = temporaryFolder()
        let started = Date()
        let r = try run(["slice", "--model", model, "--out", out])
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(r.status == 1)
        #expect(r.stderr.hasPrefix("regionplot: error: \(model): the slice would have about "), "\(r.stderr)")
        #expect(r.stderr.contains("GiB of memory") && r.stderr.contains("--size"), "\(r.stderr)")
        #expect(r.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// 2 → 4 → 60 → 2: a few pieces at the first layer, hundreds of regions after the second.
    @Test func maxRegionsStopsTheWalk() throws {
        let model = try mlpSafetensors([2, 4, 60, 2], seed: 2)
        let whole = try run(["slice", "--model", model, "--grid", "11", "--out", temporaryFolder(),
                             "--only-figures", "slice"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let count = try #require(Int(whole.stdout.split(separator: ":")[1].split(separator: " ")[0]))
        #expect(count > 20)
        let out = temporaryFolder()
        let r = try run(["slice", "--model", model, "--grid", "11", "--max-regions", "20", "--out", out])
        #expect(r.status == 1)
        #expect(r.stderr == "regionplot: error: \(model): the slice has more than 20 linear regions (--max-regions 20); "
            + "a smaller --size shrinks the square, a larger --max-regions allows more\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        let enough = try run(["slice", "--model", model, "--grid", "11", "--max-regions", "\(count)", "--out",
                              temporaryFolder(), "--only-figures", "slice"])
        #expect(enough.status == 0 && enough.stdout.contains(": \(count) linear regions"), "\(enough.stderr)")
        let bad = try run(["slice", "--model", model, "--max-regions", "0"])
        #expect(bad.stderr.contains("--max-regions must be between 1 and"))
    }
}
