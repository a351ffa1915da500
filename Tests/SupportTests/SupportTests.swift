import Foundation
import Testing
@testable import Support

@Suite struct WorkQueue {
    @Test func resultsComeBackInIndexOrderWhateverTheHandOutOrder() {
        let squares = parallelMap(count: 50, context: ComputeContext(threads: 3), order: Array((0..<50).reversed())) { $0 * $0 }
        #expect(squares == (0..<50).map { $0 * $0 })
        #expect(parallelMap(count: 0, context: ComputeContext(threads: 4)) { $0 }.isEmpty)
        let handedOut = AtomicCounter()
        _ = parallelMap(count: 7, context: .serial) { _ in handedOut.increment() }
        #expect(handedOut.increment() == 8)
    }

    /// Every index is visited exactly once, on several threads.
    @Test func everyIndexOnce() {
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: 1000)
        counts.initialize(repeating: 0)
        defer { counts.deallocate() }
        let writes = DisjointWrites(counts)
        parallelForEach(count: 1000, context: ComputeContext(threads: 4)) { k in writes[k] += 1 }
        #expect(counts.allSatisfy { $0 == 1 })
    }
}

@Suite struct Reports {
    struct Inner: Codable, Equatable { var zeta: Double; var missing: Int? }
    struct Report: Codable, Equatable {
        var grid: Int
        var label: String
        var values: [Double]
        var inner: Inner
        var notANumber: Double?
        var timings: OrderedNumbers
    }

    /// Keys in declaration order, nil as null, NaN as null, short number arrays on one line; and JSONDecoder reads
    /// it back.
    @Test func encodesInOrderWithNulls() throws {
        let report = Report(grid: 101, label: "a \"b\"", values: [0.5, 1, 1e-7], inner: Inner(zeta: 0.25, missing: nil),
                            notANumber: .nan, timings: OrderedNumbers([("train", 0.5), ("probe", 0.25)]))
        let text = try ReportEncoder.text(of: report)
        #expect(text == """
        {
          "grid": 101,
          "label": "a \\"b\\"",
          "values": [0.5, 1.0, 1e-07],
          "inner": {
            "zeta": 0.25,
            "missing": null
          },
          "notANumber": null,
          "timings": {
            "train": 0.5,
            "probe": 0.25
          }
        }

        """)
        let back = try JSONDecoder().decode(Report.self, from: Data(text.utf8))
        #expect(back.grid == 101 && back.inner == report.inner && back.notANumber == nil)
        #expect(back.timings["train"] == 0.5)
    }
}

@Suite struct AbsentKeys {
    struct Entry: Codable, Equatable {
        var name: String
        @AbsentWhenNil var extra: [Int]?
        var other: Int?
    }

    /// An `AbsentWhenNil` key is left out when nil (a plain optional still reads null), and reads back as nil.
    @Test func absentWhenNilAndReadBack() throws {
        let without = try ReportEncoder.text(of: Entry(name: "a", extra: nil, other: nil))
        #expect(without == "{\n  \"name\": \"a\",\n  \"other\": null\n}\n")
        let with = try ReportEncoder.text(of: Entry(name: "a", extra: [1, 2], other: 3))
        #expect(with == "{\n  \"name\": \"a\",\n  \"extra\": [1, 2],\n  \"other\": 3\n}\n")
        #expect(try JSONDecoder().decode(Entry.self, from: Data(without.utf8)) == Entry(name: "a", extra: nil, other: nil))
        #expect(try JSONDecoder().decode(Entry.self, from: Data(with.utf8)) == Entry(name: "a", extra: [1, 2], other: 3))
    }
}
