import Foundation
import LinearAlgebra
import Testing
@testable import NeuralNet

/// Tests/NeuralNetTests/Fixtures.
let neuralNetFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

/// A `.npy` file by hand: version 1.0 preamble, the given header text (padded as NumPy pads it), the payload.
func npyBytes(header: String, payload: [UInt8], version: UInt8 = 1) -> Data {
    var text = header
    let preamble = version == 1 ? 10 : 12
    text += String(repeating: " ", count: (64 - (preamble + text.utf8.count + 1) % 64) % 64) + "\n"
    var d = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0])
    let n = text.utf8.count
    d.append(contentsOf: version == 1 ? [UInt8(n & 0xFF), UInt8(n >> 8)] : [UInt8(n & 0xFF), UInt8(n >> 8), 0, 0])
    d.append(contentsOf: Array(text.utf8))
    d.append(contentsOf: payload)
    return d
}

/// A `.npy` header dict.
func npyHeader(descr: String = "<f8", fortran: String = "False", shape: String = "(1,)") -> String {
    "{'descr': '\(descr)', 'fortran_order': \(fortran), 'shape': \(shape), }"
}

func zeroBytes(_ n: Int) -> [UInt8] { [UInt8](repeating: 0, count: n) }

@Suite struct NumpyReading {
    /// The shared digits data, as np.save wrote them: float32 [360, 64], float32 [360, 1, 8, 8], int64 [360].
    @Test func readsTheDigitsFiles() throws {
        let x = try Numpy.read(path: neuralNetFixtures + "/examples/digits_test_x.npy")
        #expect(x.shape == [360, 64])
        #expect(x.dataType == .float32)
        #expect(x.doubles.allSatisfy { $0 >= 0 && $0 <= 1 && ($0 * 16).rounded() == $0 * 16 })
        let images = try Numpy.read(path: neuralNetFixtures + "/examples/digits_test_img.npy")
        #expect(images.shape == [360, 1, 8, 8])
        #expect(images.doubles == x.doubles)
        let y = try Numpy.read(path: neuralNetFixtures + "/examples/digits_test_y.npy")
        #expect(y.shape == [360])
        #expect(y.dataType == .int64)
        #expect(Set(y.integers ?? []) == Set(0..<10))
    }

    @Test func roundTrips() throws {
        let values = [1.5, -2, .pi, 0, 1e300, -0.0]
        let a = try Numpy.parse(Numpy.encode(doubles: values, shape: [2, 3]), name: "a")
        #expect(a == NumpyArray(shape: [2, 3], dataType: .float64, elements: .floating(values)))
        let b = try Numpy.parse(Numpy.encode(integers: [3, -1, Int(Int64.max)], shape: [3]), name: "b")
        #expect(b.integers == [3, -1, Int(Int64.max)])
        let scalar = try Numpy.parse(Numpy.encode(doubles: [7], shape: []), name: "s")
        #expect(scalar.shape == [] && scalar.doubles == [7])
        let empty = try Numpy.parse(Numpy.encode(doubles: [], shape: [0, 4]), name: "e")
        #expect(empty.shape == [0, 4] && empty.count == 0)
        // The writer aligns the data to 64 bytes, as NumPy does.
        #expect((Numpy.encode(doubles: values, shape: [6]).count - 48) % 64 == 0)
    }

    @Test func readsOtherDtypesAndVersions() throws {
        let u8 = try Numpy.parse(npyBytes(header: "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                          payload: [0, 7, 255]), name: "u8")
        #expect(u8.integers == [0, 7, 255] && u8.dataType == .uint8)
        let i32 = try Numpy.parse(npyBytes(header: "{'shape': (2,), 'fortran_order': False, 'descr': '<i4'}",
                                           payload: [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF], version: 2), name: "i32")
        #expect(i32.integers == [1, -1])
        let f32 = try Numpy.parse(npyBytes(header: "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), }",
                                           payload: [0, 0, 0xC0, 0x3F], version: 3), name: "f32")
        #expect(f32.doubles == [1.5])
    }

    /// Every hostile input gives a NumpyError naming the file, with the problem in words.
    @Test(arguments: [
        (Data(), "truncated"),
        (Data("NUMPY and more bytes".utf8), "bad magic"),
        (npyBytes(header: npyHeader(shape: "(3,)"), payload: [0, 0, 0]), "truncated"),
        (npyBytes(header: npyHeader(), payload: zeroBytes(9)), "bytes after the data"),
        (npyBytes(header: npyHeader(fortran: "True"), payload: zeroBytes(8)), "Fortran order"),
        (npyBytes(header: npyHeader(descr: ">f8"), payload: zeroBytes(8)), "dtype '>f8' is not supported"),
        (npyBytes(header: npyHeader(descr: "<c16"), payload: []), "dtype '<c16'"),
        (npyBytes(header: npyHeader(shape: "(4294967296, 4294967296, 4)"), payload: []), "too large"),
        (npyBytes(header: npyHeader(shape: "(99999999999999999999,)"), payload: []), "malformed header"),
        (npyBytes(header: npyHeader(shape: "(-1,)"), payload: []), "malformed header"),
        (npyBytes(header: "{'descr': '<f8', 'shape': (1,), }", payload: []), "lacks"),
        (npyBytes(header: "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (), }", payload: []),
         "repeated key"),
        (npyBytes(header: npyHeader() + " extra", payload: []), "after its dict"),
        (npyBytes(header: npyHeader(), payload: [], version: 4), "unsupported .npy version"),
        (Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 2, 0, 0xFF, 0xFF, 0xFF, 0x7F]), "longer than"),
        (Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, 0x00, 0x10]), "truncated"),
    ])
    func hostileInputsGiveTypedErrors(bytes: Data, expected: String) {
        do {
            _ = try Numpy.parse(bytes, name: "x.npy")
            Issue.record("parsed a hostile input; expected '\(expected)'")
        } catch let error as NumpyError {
            #expect(error.name == "x.npy")
            #expect(error.description.contains(expected), "\(error)")
            #expect(!error.description.contains("\n"))
        } catch {
            Issue.record("unexpected error type \(error)")
        }
    }

    /// Every prefix and many byte flips of a real file: an array or an error, never a trap. (A fuzzer does this
    /// at scale; this keeps the easy cases in the unit tests.)
    @Test func truncationsAndCorruptionsNeverTrap() throws {
        let file = try Data(contentsOf: URL(fileURLWithPath: neuralNetFixtures + "/onnx/two_input_x.npy"))
        for length in 0..<file.count {
            #expect(throws: NumpyError.self) { try Numpy.parse(file.prefix(length), name: "cut") }
        }
        var g = SeededGenerator(seed: 17)
        for _ in 0..<2000 {
            var bytes = file
            for _ in 0..<3 {
                let at = Int(g.next() % UInt64(bytes.count))
                bytes[at] = UInt8(truncatingIfNeeded: g.next())
            }
            _ = try? Numpy.parse(bytes, name: "flipped")
        }
        // A slice that does not start at index 0 parses like a copy.
        let padded = Data([1, 2, 3]) + file
        #expect(try Numpy.parse(padded.dropFirst(3), name: "slice") == Numpy.parse(file, name: "copy"))
    }

    @Test func missingFileIsAnError() {
        #expect(throws: NumpyError(name: "/no/such.npy", problem: "no such file")) {
            try Numpy.read(path: "/no/such.npy")
        }
    }
}
