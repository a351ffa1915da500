import Foundation
import Testing

/// `regionplot bench --figures`: times the three analysis figures of a pair read from files (or trained), and
/// refuses half a pair in one line.
@Suite struct BenchFigures {
    @Test func timesTheThreeAnalysisFiguresOfAPair() throws {
        let r = try run(["bench", "--figures", "--net-a", fixtureFolder + "/w20-a.safetensors",
                         "--net-b", fixtureFolder + "/w20-b.safetensors", "--repeats", "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = r.stdout.split(separator: "\n").map { $0.split(separator: " ") }
        for name in ["linear-regions", "surfaces", "wireframes"] {
            let row = try #require(rows.first { $0.first.map(String.init) == name })
            // Wall and CPU seconds, positive and finite, and a PNG of plausible size.
            let numbers = row.dropFirst().compactMap { Double($0) }
            #expect(numbers.count == 3 && numbers[0] > 0 && numbers[1] > 0 && numbers[0].isFinite)
            #expect(numbers.count == 3 && numbers[2] > 10_000)
        }
        #expect(rows.contains { $0.first == "total" })
    }

    @Test func halfAPairIsRefused() throws {
        let r = try run(["bench", "--figures", "--net-a", fixtureFolder + "/w20-a.safetensors"])
        #expect(r.status != 0)
        #expect(r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains("--net-b"))
    }
}
