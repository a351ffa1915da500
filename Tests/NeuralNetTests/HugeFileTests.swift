import Foundation
import ONNXSchema
import Testing
@testable import NeuralNet

/// Issue 23, item 5: files are read by the ranges they name, once; a huge file costs what it names, not its size.
/// The huge files are sparse (`ftruncate`): they take no disk space, and each is deleted at the end.
@Suite(.serialized) struct HugeFiles {
    /// A sparse file of `size` bytes beginning with `prefix`; removed when `body` returns.
    func withSparseFile(_ name: String, size: Int, prefix: Data, _ body: (String) throws -> Void) throws {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name
        try prefix.write(to: URL(fileURLWithPath: path))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(path)
    }

    static let fiveGiB = 5 << 30

    /// Zeros of 5 GiB under each reader's extension: one error, at once (the readers look at the header first;
    /// an ONNX file over protobuf's 2 GiB is refused before a byte is read).
    @Test func fiveGiBOfZerosAreRefusedAtOnce() throws {
        for (name, expected) in [("zeros.npy", "not a .npy file (bad magic bytes)"),
                                 ("zeros.onnx", "more than the 2147483647 a protobuf may hold"),
                                 ("zeros.safetensors", "header is not valid JSON")] {
            try withSparseFile(name, size: Self.fiveGiB, prefix: Data()) { path in
                let started = Date()
                do {
                    if name.hasSuffix(".npy") { _ = try Numpy.read(path: path) } else { _ = try ModelFile.read(path: path) }
                    Issue.record("\(name) read")
                } catch {
                    #expect("\(error)".contains(expected), "\(error)")
                }
                #expect(Date().timeIntervalSince(started) < 5, "\(name) took long: was it read whole?")
            }
        }
    }

    /// A valid .npy header for more elements than half the memory holds as 8-byte numbers: refused before any
    /// data is read or allocated.
    @Test func anArrayLargerThanMemoryIsRefusedBeforeAllocating() throws {
        let count = max(Self.fiveGiB, Int(ProcessInfo.processInfo.physicalMemory / 16) + (1 << 30))
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(count),), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var prefix = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0])
        prefix.append(contentsOf: Array(header.utf8))
        try withSparseFile("huge.npy", size: prefix.count + count, prefix: prefix) { path in
            #expect(throws: NumpyError.self) { try Numpy.read(path: path) }
            do { _ = try Numpy.read(path: path) } catch {
                #expect("\(error)".contains("holds \(count) elements, which need"), "\(error)")
            }
        }
    }

    /// A tensor naming 24 bytes of a 5 GiB external data file reads those bytes only.
    @Test func externalDataIsReadByRange() throws {
        var graph = GraphBuilder()
        var w = Onnx_TensorProto()
        w.name = "W"
        w.dims = [2, 3]
        w.dataType = 1
        w.dataLocation = .external
        w.externalData = [("location", "weights.bin"), ("offset", "4096"), ("length", "24")].map { key, value in
            var entry = Onnx_StringStringEntryProto()
            entry.key = key
            entry.value = value
            return entry
        }
        graph.graph.initializer = [w]
        graph.node("Gemm", ["x", "W"], "y", name: "fc", int: ["transB": 1])
        let model = try temporaryFile(try graph.bytes(output: "y"), name: "net.onnx")
        let folder = URL(fileURLWithPath: model).deletingLastPathComponent().path
        let weights = [Float](arrayLiteral: 1, 2, 3, 4, 5, 6)
        var prefix = Data(count: 4096)
        for v in weights { withUnsafeBytes(of: v.bitPattern.littleEndian) { prefix.append(contentsOf: $0) } }
        let path = folder + "/weights.bin"
        try prefix.write(to: URL(fileURLWithPath: path))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(Self.fiveGiB))
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let started = Date()
        let network = try ONNX.read(path: model)
        #expect(Date().timeIntervalSince(started) < 5)
        guard case .dense(let dense) = network.layers.first?.operation else { Issue.record("no dense layer"); return }
        #expect(dense.weight.storage == weights.map(Double.init))
    }
}
