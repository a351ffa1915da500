import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

/// A PyTorch user's everyday files (scripts/make_softmax_fixtures.py): models ending in nn.Softmax / nn.LogSoftmax
/// and data saved with np.savez / np.savez_compressed.
@Suite struct SoftmaxAndArchiveTests {
    let folder = neuralNetFixtures + "/softmax"
    let examples = neuralNetFixtures + "/examples"

    /// The final Softmax / LogSoftmax is left out: the network is the plain MLP, computing PyTorch's logits
    /// (expected.json) to float32 rounding, and says what it left out.
    @Test(arguments: ["softmax", "logsoftmax"]) func finalSoftmaxIsReadAsTheLogits(kind: String) throws {
        let network = try ONNX.read(path: folder + "/mlp_\(kind).onnx")
        #expect(network.omittedOutputActivation == (kind == "softmax" ? "Softmax" : "LogSoftmax"))
        let plain = try ONNX.read(path: examples + "/ex_mlp.onnx")
        #expect(plain.omittedOutputActivation == nil)
        #expect(network.layers.map(\.operation) == plain.layers.map(\.operation))
        let x = try Numpy.read(path: examples + "/digits_test_x.npy").doubles
        let logits = network.forward(Array(x[0..<(5 * 64)]), rows: 5) as [Double]
        let expected = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json"))) as? [String: Any])
        let truth = try #require(expected["logits"] as? [[Double]]).flatMap { $0 }
        // float32 weights and PyTorch's float32 arithmetic: 1e-5 of the logits' size.
        #expect(zip(logits, truth).allSatisfy { isApproximatelyEqual($0, $1, absolute: 1e-5 * max(1, abs($1))) })
    }

    /// np.savez (stored) and np.savez_compressed (deflated) hold the same arrays as the .npy files.
    @Test(arguments: ["digits_test.npz", "digits_test_compressed.npz"]) func archivesHoldTheirArrays(file: String) throws {
        let x = try DataFile.read(path: "\(folder)/\(file):x")
        #expect(x.shape == [360, 1, 8, 8])
        #expect(x.doubles == (try Numpy.read(path: examples + "/digits_test_x.npy")).doubles)
        let y = try DataFile.read(path: "\(folder)/\(file):y")
        #expect(y.integers == (try Numpy.read(path: examples + "/digits_test_y.npy")).integers)
        // Two arrays: a name is needed, and a wrong one says which there are.
        #expect(throws: NumpyError.self) { try DataFile.read(path: "\(folder)/\(file)") }
        do { _ = try DataFile.read(path: "\(folder)/\(file):z"); Issue.record("read a missing array") } catch {
            #expect("\(error)".contains("has no array 'z' (it holds: x, y)"))
        }
    }

    /// Every truncation and a sweep of single-byte corruptions of both archives give an array or an error, never a
    /// trap (the reader's promise on hostile input).
    @Test func damagedArchivesFailCleanly() throws {
        for file in ["digits_test.npz", "digits_test_compressed.npz"] {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(file)"))
            let path = try temporaryPath("damaged.npz")
            var cuts = Array(stride(from: 0, to: bytes.count, by: max(1, bytes.count / 37)))
            cuts += [bytes.count - 1, bytes.count - 22, bytes.count - 30]
            for cut in cuts where cut >= 0 {
                try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
                _ = try? DataFile.read(path: path + ":x")
            }
            for position in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 53)) {
                var damaged = bytes
                damaged[position] ^= 0xA5
                try damaged.write(to: URL(fileURLWithPath: path))
                _ = try? DataFile.read(path: path + ":x")
            }
            // The central directory's entry count absurdly large: refused before any allocation.
            var damaged = bytes
            let end = bytes.count - 22
            if damaged[end] == 0x50 && damaged[end + 1] == 0x4B {
                damaged[end + 10] = 0xFE
                damaged[end + 11] = 0xFF
                try damaged.write(to: URL(fileURLWithPath: path))
                #expect(throws: NumpyError.self) { try DataFile.read(path: path + ":x") }
            }
        }
    }
}
