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

/// Staged files: invisible until committed, whole when in place, gone when discarded or when the commit fails;
/// the committer puts many in place side by side and reports a failure.
@Suite struct StagedFiles {
    func madeFolder() throws -> String {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    static func visibleNames(_ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    @Test func stagedIsHiddenUntilCommitted() throws {
        let folder = try madeFolder()
        let path = folder + "/figure.png"
        let bytes = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let staged = try stageFile(bytes, for: path)
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(Self.visibleNames(folder).count == 1 && Self.visibleNames(folder)[0].hasPrefix(".figure.png.tmp-"))
        try staged.commit()
        #expect(FileManager.default.contents(atPath: path) == bytes)
        #expect(Self.visibleNames(folder) == ["figure.png"])
    }

    /// `commit` in its two halves: flushed, still hidden; then in place.
    @Test func flushThenPutInPlace() throws {
        let folder = try madeFolder()
        let staged = try stageFile(Data([7, 8, 9]), for: folder + "/report.json")
        try staged.flush()
        #expect(!FileManager.default.fileExists(atPath: folder + "/report.json"))
        try staged.putInPlace()
        #expect(FileManager.default.contents(atPath: folder + "/report.json") == Data([7, 8, 9]))
        #expect(Self.visibleNames(folder) == ["report.json"])
    }

    @Test func discardedLeavesNothing() throws {
        let folder = try madeFolder()
        try stageFile(Data([1, 2, 3]), for: folder + "/x.json").discard()
        #expect(Self.visibleNames(folder).isEmpty)
    }

    /// A destination that cannot be replaced (a folder of that name, made after the file was staged, since staging
    /// refuses one that is already there): the commit throws and removes its temporary file.
    @Test func failedCommitRemovesTheTemporary() throws {
        let folder = try madeFolder()
        let staged = try stageFile(Data([9]), for: folder + "/busy")
        try FileManager.default.createDirectory(atPath: folder + "/busy", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: folder + "/busy/inside", withIntermediateDirectories: false)
        #expect(throws: OutputError.self) { try staged.commit() }
        #expect(Self.visibleNames(folder) == ["busy"])
        #expect(throws: OutputError.self) { try stageFile(Data([9]), for: folder + "/busy") }
    }

    /// A file written piece by piece: hidden until committed, then the pieces in order; a body that throws midway
    /// leaves nothing, not even the temporary file, and an old file of that name is untouched.
    @Test func streamedFileIsWholeOrAbsent() throws {
        let folder = try madeFolder()
        let path = folder + "/regions.csv"
        let staged = try stageFile(for: path) { file in
            for k in 0..<50 { try file.write(Array(repeating: UInt8(65 + k % 26), count: 10_000)) }
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        try staged.commit()
        let expected = (0..<50).flatMap { Array(repeating: UInt8(65 + $0 % 26), count: 10_000) }
        #expect(FileManager.default.contents(atPath: path) == Data(expected))

        struct Stop: Error {}
        #expect(throws: Stop.self) {
            _ = try stageFile(for: path) { file in
                try file.write([1, 2, 3])
                throw Stop()
            }
        }
        #expect(Self.visibleNames(folder) == ["regions.csv"])
        #expect(FileManager.default.contents(atPath: path) == Data(expected))
    }

    /// A chunked text through `writeAtomically`, on one thread and on three (more pieces than a batch): the
    /// pieces in order, the same bytes.
    @Test func chunkedTextIsWrittenInOrder() throws {
        let folder = try madeFolder()
        let text = ChunkedText(count: 23) { k, out in
            for i in 0...k { out.append("\(k):\(i),") }
            out.append("\n")
        }
        let expected = (0..<23).map { k in (0...k).map { "\(k):\($0)," }.joined() + "\n" }.joined()
        #expect(text.text == expected)
        for threads in [1, 3] {
            try writeAtomically(text, to: folder + "/t\(threads)", context: ComputeContext(threads: threads))
            #expect(try String(contentsOfFile: folder + "/t\(threads)", encoding: .utf8) == expected)
        }
        #expect(throws: OutputError.self) { try writeAtomically(text, to: folder, context: .serial) }
        #expect(Self.visibleNames(folder) == ["t1", "t3"])
    }

    @Test func committerPutsEveryFileInPlaceAndReportsAFailure() throws {
        let folder = try madeFolder()
        let committer = FileCommitter()
        func bytes(_ k: Int) -> Data { Data(repeating: UInt8(k), count: 1000 * k) }
        for k in 0..<24 { committer.commit(try stageFile(bytes(k), for: "\(folder)/f\(k)")) }
        try committer.finish()
        for k in 0..<24 { #expect(FileManager.default.contents(atPath: "\(folder)/f\(k)") == bytes(k)) }
        #expect(Self.visibleNames(folder).count == 24)

        let blocked = try stageFile(Data([2]), for: folder + "/f3.d")
        try FileManager.default.createDirectory(atPath: folder + "/f3.d", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: folder + "/f3.d/x", withIntermediateDirectories: false)
        let failing = FileCommitter()
        failing.commit(try stageFile(Data([1]), for: folder + "/ok"))
        failing.commit(blocked)
        #expect(throws: OutputError.self) { try failing.finish() }
        #expect(FileManager.default.contents(atPath: folder + "/ok") == Data([1]))
        #expect(!Self.visibleNames(folder).contains { $0.contains(".tmp-") })
    }
}

/// SHA-256 against FIPS 180-4's examples and Python's hashlib.
@Suite struct SHA256Tests {
    @Test func standardVectors() {
        #expect(SHA256.hex(of: Array("".utf8))
            == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // 448 bits: the padding needs a second block.
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func blocksFedInPiecesGiveTheSameDigest() throws {
        // hashlib.sha256(bytes(range(256)) * 4 + b"x").hexdigest()
        let message = (0..<4).flatMap { _ in (0..<256).map(UInt8.init) } + [UInt8(ascii: "x")]
        let expected = "8b22d5427688462387bbd8fcef9d2a1f1cb3a8886cd48e604b29e2913b663399"
        #expect(SHA256.hex(of: message) == expected)
        var pieces = SHA256()
        for cut in stride(from: 0, to: message.count, by: 37) {
            pieces.update(Array(message[cut..<min(cut + 37, message.count)]))
        }
        #expect(pieces.finalHex() == expected)
        let path = try temporaryFile(Data(message), name: "message.bin")
        #expect(try SHA256.hex(ofFile: path) == expected)
    }
}

@Suite struct CSVTableTests {
    @Test func quotesTextAndSpellsNonFiniteNumbers() {
        var table = CSVTable(columns: ["id", "name", "value"])
        table.append([1, "plain", 0.5])
        table.append([2, "a, \"b\"", .double(.nan)])
        table.append([3, .missing, .double(-.infinity)])
        #expect(table.text == "id,name,value\n1,plain,0.5\n2,\"a, \"\"b\"\"\",nan\n3,,-inf\n")
    }
}

@Suite struct ProvenanceTests {
    /// The keys come after the report's own; a report's own `settings` object keeps its keys and gains the flags it
    /// lacks (keys are a public contract: nothing renamed or dropped).
    @Test func addsKeysAfterTheReportsOwnAndMergesSettings() throws {
        let file = try temporaryFile(Data("abc".utf8), name: "model.bin")
        let provenance = Provenance(inputs: [try .init(role: "model", path: file)],
                                    settings: [("seed", .int(4)), ("out", .string("run"))])
        #expect(provenance.inputs[0].bytes == 3)
        #expect(provenance.inputs[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let plain = try provenance.adding(to: .object([("accuracy", .number(0.5))]))
        guard case .object(let pairs) = plain else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0) == ["accuracy", "settings", "inputs", "program"])
        let own = try provenance.adding(to: .object([("settings", .object([("seed", .int(7))]))]))
        guard case .object(let merged) = own, case .object(let settings) = merged[0].1 else {
            Issue.record("not an object"); return
        }
        #expect(settings.map(\.0) == ["seed", "out"])
        #expect(settings[0].1 == .int(7))
        #expect(Provenance.InputFile.filePart(of: "data.npz:x") == "data.npz")
        #expect(Provenance.InputFile.filePart(of: "data.npy") == "data.npy")
    }
}
