import Foundation
import Testing
import LinearAlgebra
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

func temporaryFile(_ data: Data, name: String = "net.safetensors") throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("regionplot-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent(name).path
    try data.write(to: URL(fileURLWithPath: path))
    return path
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
        ("unknown dtype", safetensorsBytes(header: #"{"fc1.weight":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]}}"#, payload: [0, 0, 0, 0]), "dtype BF16"),
        ("data cut short", validSequentialFile().dropLast(4), "truncated"),
        ("missing bias", safetensorsBytes(header: #"{"fc1.weight":{"dtype":"F32","shape":[1,2],"data_offsets":[0,8]}}"#, payload: f32Bytes([1, 2])), "has no bias"),
        ("shapes that do not chain", {
            let header = #"{"fc1.weight":{"dtype":"F32","shape":[3,2],"data_offsets":[0,24]},"fc1.bias":{"dtype":"F32","shape":[3],"data_offsets":[24,36]},"fc2.weight":{"dtype":"F32","shape":[1,4],"data_offsets":[36,52]},"fc2.bias":{"dtype":"F32","shape":[1],"data_offsets":[52,56]}}"#
            return safetensorsBytes(header: header, payload: f32Bytes([Float](repeating: 1, count: 14)))
        }(), "but the layer before has 3 outputs"),
        ("NaN value", validSequentialFile(bias2: [.nan]), "non-finite"),
        ("infinite value", validSequentialFile(bias2: [.infinity]), "non-finite"),
        ("two outputs", validSequentialFile(bias2: [0, 0]), "bias has shape [2]"),
        ("not an MLP", safetensorsBytes(header: #"{"bn.running_mean":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, payload: f32Bytes([0])), "neither a .weight nor a .bias"),
        ("empty", safetensorsBytes(header: "{}", payload: []), "holds no tensors"),
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

    @Test func missingFile() {
        #expect(throws: WeightsFileError(path: "/nonexistent/x.safetensors", problem: "no such file")) {
            try Safetensors.read(path: "/nonexistent/x.safetensors")
        }
    }
}
