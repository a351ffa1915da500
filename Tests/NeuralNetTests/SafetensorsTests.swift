import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

/// Builds a safetensors file by hand from a header string and raw payload.
func safetensorsBytes(header: String, payload: [UInt8]) -> Data {
    var d = Data()
    var n = UInt64(header.utf8.count).littleEndian
    withUnsafeBytes(of: &n) { d.append(contentsOf: $0) }
    d.append(contentsOf: Array(header.utf8))
    d.append(contentsOf: payload)
    return d
}

func f32Bytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { v -> [UInt8] in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
}


/// A valid F32 2 → 2 → 1 file with Sequential names 0 and 2.
func validSequentialFile(bias2: [Float] = [0.5]) -> Data {
    let w0: [Float] = [1, 2, 3, 4], b0: [Float] = [0.1, 0.2], w2: [Float] = [5, 6]
    let header = """
    {"0.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"0.bias":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},\
    "2.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[24,32]},"2.bias":{"dtype":"F32","shape":[\(bias2.count)],"data_offsets":[32,\(32 + 4 * bias2.count)]}}
    """
    return safetensorsBytes(header: header, payload: f32Bytes(w0 + b0 + w2 + bias2))
}

@Suite struct SafetensorsReading {
    @Test func readsSequentialF32() throws {
        let path = try temporaryFile(validSequentialFile())
        let (net, single) = try Safetensors.read(path: path)
        #expect(single)
        #expect(net.layerWidths == [2, 2, 1])
        #expect(net.layers[0].weight == Matrix([[1, 2], [3, 4]]))
        #expect(net.layers[1].bias == [0.5])
        #expect(net.layers[0].bias[0] == Double(Float(0.1)))
    }

    @Test func roundTripsThroughEncode() throws {
        var g = SeededGenerator(seed: 5)
        let net = MLP(layerWidths: [2, 7, 3, 1], using: &g)
        let path = try temporaryFile(Safetensors.encode(net))
        let (back, single) = try Safetensors.read(path: path)
        #expect(back == net)
        #expect(!single)
    }

    @Test func naturalOrderOfLayerNames() {
        #expect(Safetensors.naturalOrder("2", "10"))
        #expect(Safetensors.naturalOrder("fc2", "fc10"))
        #expect(Safetensors.naturalOrder("layers.2", "layers.10"))
        #expect(!Safetensors.naturalOrder("fc10", "fc9"))
    }

    static let malformed: [(String, Data, String)] = [
        ("truncated before the header length", Data([1, 2, 3]), "truncated"),
        ("absurd header length", Data([255, 255, 255, 255, 255, 255, 255, 127]) + Data(count: 16), "absurd header length"),
        ("header longer than the file", safetensorsBytes(header: "{}", payload: []).prefix(9), "truncated"),
        ("bad JSON", safetensorsBytes(header: "{not json", payload: []), "not valid JSON"),
        ("unknown dtype", safetensorsBytes(header: #"{"fc1.weight":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#, payload: [UInt8](repeating: 0, count: 16)), "unknown dtype 'F128'"),
        ("integer dtype", safetensorsBytes(header: #"{"fc1.weight":{"dtype":"I64","shape":[1,2],"data_offsets":[0,16]}}"#, payload: [UInt8](repeating: 0, count: 16)), "has dtype I64; weights must be F64, F32, F16 or BF16"),
        ("boolean dtype", safetensorsBytes(header: #"{"fc1.weight":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]}}"#, payload: [0, 1]), "has dtype BOOL"),
        ("data cut short", validSequentialFile().dropLast(4), "truncated"),
        ("missing bias", safetensorsBytes(header: #"{"fc1.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#, payload: f32Bytes([1, 2])), "has no bias"),
        ("shapes that do not chain", {
            let header = #"{"fc1.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"fc1.bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]},"fc2.weight":{"dtype":"F32","shape":[1,4],"data_offsets":[36,52]},"fc2.bias":{"dtype":"F32","shape":[1],"data_offsets":[52,56]}}"#
            return safetensorsBytes(header: header, payload: f32Bytes([Float](repeating: 1, count: 14)))
        }(), "but the layer before has 3 outputs"),
        ("NaN value", validSequentialFile(bias2: [.nan]), "non-finite"),
        ("infinite value", validSequentialFile(bias2: [.infinity]), "non-finite"),
        ("two outputs", validSequentialFile(bias2: [0, 0]), "'2.bias' has shape [2]"),
        ("not an MLP", safetensorsBytes(header: #"{"bn.running_mean":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, payload: f32Bytes([0])), "neither a .weight nor a .bias"),
        ("empty", safetensorsBytes(header: "{}", payload: []), "holds no tensors"),
    ] + hostile.map { ($0.0, safetensorsBytes(header: $0.1, payload: [UInt8](repeating: 0, count: $0.2)), $0.3) }

    /// Headers an attacker or a careless exporter writes (issue 11): each must end in a one-line error.
    /// (what, header, payload bytes, expected part of the message)
    static let hostile: [(String, String, Int, String)] = [
        ("negative offsets", #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[-400,-396]}}"#, 4, "non-negative integers"),
        ("offsets far before the buffer", #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[-1000000000000,4]}}"#, 4, "non-negative integers"),
        ("offsets beyond the file", #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[1000000,1000004]}}"#, 4, "gap"),
        ("element count overflows", #"{"b":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}}"#, 4, "more elements than can be addressed"),
        ("dimension overflows Int", #"{"b":{"dtype":"F32","shape":[9223372036854775807,2],"data_offsets":[0,4]}}"#, 4, "more elements than can be addressed"),
        ("dimension beyond Int", #"{"b":{"dtype":"F32","shape":[92233720368547758070],"data_offsets":[0,4]}}"#, 4, "too large"),
        ("exponent dimension", #"{"b":{"dtype":"F32","shape":[2.44e42],"data_offsets":[0,4]}}"#, 4, "non-negative integers"),
        ("bytes overflow", #"{"b":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, 8, "needs more bytes"),
        ("end minus begin overflows", #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,9223372036854775807]}}"#, 4, "data_offsets give"),
        ("end before begin", #"{"b":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, 8, "end before they begin"),
        ("fractional dimension", #"{"b":{"dtype":"F32","shape":[2.9],"data_offsets":[0,8]}}"#, 8, "non-negative integers"),
        ("boolean dimension", #"{"b":{"dtype":"F32","shape":[true],"data_offsets":[0,4]}}"#, 4, "non-negative integers"),
        ("null dimension", #"{"b":{"dtype":"F32","shape":[null],"data_offsets":[0,4]}}"#, 4, "non-negative integers"),
        ("fractional offset", #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}}"#, 4, "non-negative integers"),
        ("duplicate tensor names", #"{"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "names tensor 'b' twice"),
        ("overlapping tensors", #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "overlap"),
        ("a gap between tensors", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, 12, "a gap"),
        ("trailing bytes", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 12, "trailing bytes"),
        ("a key given twice", #"{"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}}"#, 4, "dtype given twice"),
        ("an unknown key", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}}"#, 4, "unknown key 'extra'"),
        ("three offsets", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#, 4, "more than 2 entries"),
        ("one offset", #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}"#, 4, "two integers"),
        ("65 dimensions", #"{"a":{"dtype":"F32","shape":["# + Array(repeating: "1", count: 65).joined(separator: ",") + #"],"data_offsets":[0,4]}}"#, 4, "more than 64 entries"),
        ("metadata that is not strings", #"{"__metadata__":{"format":1},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4, "must be a string"),
        ("not an object", "[1, 2, 3]", 0, "must be an object"),
        ("leading zero", #"{"a":{"dtype":"F32","shape":[01],"data_offsets":[0,4]}}"#, 4, "leading zero"),
        ("deep nesting", String(repeating: "[", count: 100_000), 0, "must be an object"),
        ("unclosed string", #"{"a"#, 0, "not closed"),
        ("control character in a name", "{\"a\u{01}\":{}}", 0, "control character"),
        ("lone surrogate", #"{"\ud800":1}"#, 0, "unpaired surrogate"),
    ]

    @Test(arguments: 0..<malformed.count)
    func malformedFilesGiveOneLineErrorsNamingFileAndProblem(_ index: Int) throws {
        let (what, data, expected) = Self.malformed[index]
        let path = try temporaryFile(data)
        do {
            _ = try Safetensors.read(path: path)
            Issue.record("\(what): expected an error")
        } catch let error as WeightsFileError {
            #expect(error.description.hasPrefix("weights file \(path): "), "\(what)")
            #expect(error.description.contains(expected), "\(what): \(error)")
            #expect(!error.description.contains("\n"), "\(what)")
        }
    }

    @Test func invalidUTF8InANameIsRefused() throws {
        var data = safetensorsBytes(header: #"{"a\#u{7F}":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, payload: [0, 0, 0, 0])
        data[10] = 0xFF  // the byte after `{"a`: not UTF-8 anywhere
        let path = try temporaryFile(data)
        #expect(throws: WeightsFileError(path: path, problem: "header is not valid JSON: a string is not valid UTF-8 at byte 5")) {
            try Safetensors.read(path: path)
        }
    }

    /// Half-precision files load, widened exactly: the values are checked against Swift's own `Float16` and the
    /// float32 whose upper half a bfloat16 is.
    @Test func readsF16AndBF16() throws {
        let values: [Float] = [1, -2, 0.5, 65504, 6.1035156e-05, 5.9604645e-08, -0.0, 0.333251953125]
        let halfBits = values.map { Float16($0).bitPattern }
        let bf16Bits = values.map { UInt16($0.bitPattern >> 16) }
        func bytes(_ bits: [UInt16]) -> [UInt8] { bits.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } }
        for (dtype, bits, expected) in [
            ("F16", halfBits, values.map { Double(Float16($0)) }),
            ("BF16", bf16Bits, values.map { Double(Float(bitPattern: $0.bitPattern & 0xFFFF_0000)) }),
        ] {
            let header = """
            {"fc1.weight":{"dtype":"\(dtype)","shape":[8,1],"data_offsets":[0,16]},\
            "fc1.bias":{"dtype":"\(dtype)","shape":[8],"data_offsets":[16,32]}}
            """
            let path = try temporaryFile(safetensorsBytes(header: header, payload: bytes(bits) + bytes(bits)))
            let (net, single) = try Safetensors.read(path: path, inputDimension: 1, outputDimension: 8)
            #expect(!single, "\(dtype) is probed in float64")
            #expect(net.layers[0].weight.storage.map(\.bitPattern) == expected.map(\.bitPattern), "\(dtype)")
            #expect(net.layers[0].bias.map(\.bitPattern) == expected.map(\.bitPattern), "\(dtype)")
        }
        // Every half-precision bit pattern, against Float16 (NaNs compared as NaN).
        for bits in UInt16.min...UInt16.max {
            let mine = Safetensors.doubleFromHalf(bits), swift = Double(Float16(bitPattern: bits))
            #expect(mine.isNaN ? swift.isNaN : mine.bitPattern == swift.bitPattern, "F16 bits \(bits)")
        }
    }

    /// Special files are refused by kind before a byte is read: a FIFO would block, /dev/zero never ends.
    @Test func specialFilesAreRefusedByKind() throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fifo = folder + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect(throws: WeightsFileError(path: fifo, problem: "is a FIFO, not a regular file")) { try Safetensors.read(path: fifo) }
        #expect(throws: WeightsFileError(path: "/dev/zero", problem: "is a device, not a regular file")) {
            try Safetensors.read(path: "/dev/zero")
        }
        #expect(throws: WeightsFileError(path: folder, problem: "is a folder, not a file")) { try Safetensors.read(path: folder) }
    }

    /// A 3 GB file (sparse: it costs no disk) whose header names 8 bytes is refused from its header alone,
    /// without reading the rest: the tensors must tile the data exactly.
    @Test func aHugeFileIsJudgedByItsHeader() throws {
        let path = try temporaryFile(validSequentialFile())
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(truncate(path, 3 << 30) == 0)
        let clock = ContinuousClock.now
        #expect(throws: WeightsFileError.self) { try Safetensors.read(path: path) }
        #expect(ContinuousClock.now - clock < .seconds(1))
    }

    /// A header of five million small numbers (10 MB of valid JSON) is refused in bounded memory and time: the
    /// parser builds no JSON tree, and stops reading a shape at its 65th dimension.
    @Test func aLargeHeaderOfSmallNumbersIsCheap() throws {
        let dimensions = Array(repeating: "1", count: 5_000_000).joined(separator: ",")
        let header = #"{"fc1.weight":{"dtype":"F32","shape":[1,2,"# + dimensions + #"],"data_offsets":[0,8]}}"#
        let path = try temporaryFile(safetensorsBytes(header: header, payload: [UInt8](repeating: 0, count: 8)))
        let clock = ContinuousClock.now
        #expect(throws: WeightsFileError.self) { try Safetensors.read(path: path) }
        #expect(ContinuousClock.now - clock < .seconds(10))
    }

    @Test func missingFile() {
        #expect(throws: WeightsFileError(path: "/nonexistent/x.safetensors", problem: "no such file")) {
            try Safetensors.read(path: "/nonexistent/x.safetensors")
        }
    }
}

/// The fuzz target's committed corpora (seeds and every input that once crashed a reader) read through each file
/// reader: every file gives a result or a one-line error.
@Test(arguments: ["safetensors", "onnx", "npy"])
func fuzzCorpusReadsWithoutCrashing(reader: String) throws {
    let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/corpus/" + reader).standardizedFileURL.path
    let files = try FileManager.default.contentsOfDirectory(atPath: corpus)
    #expect(files.count >= 7)
    for file in files {
        let path = corpus + "/" + file
        do {
            switch reader {
            case "safetensors": _ = try Safetensors.read(path: path, inputDimension: nil, outputDimension: nil)
            case "onnx": _ = try ONNX.read(path: path)
            default: _ = try Numpy.read(path: path)
            }
        } catch {
            #expect(!"\(error)".contains("\n"), "\(file)")
        }
    }
}
