import Foundation
import NeuralNet

// Fuzz targets for every file reader and for the analysis behind each (Analyses.swift). Built by
// `scripts/fuzz.sh [analysis-]READER` with libFuzzer and AddressSanitizer (`-sanitize=fuzzer,address`, `-D FUZZING`),
// the target chosen by REGIONPLOT_FUZZ_READER; in an ordinary build it is a replay tool,
// `FuzzReaders [analysis-]READER FILE_OR_FOLDER …`, which runs the target on each file.

/// The readers, each a pure function of a file's bytes that must return or throw — never crash, trap or hang.
let readers: [String: @Sendable (Data) throws -> String] = [
    "safetensors": { data in
        let model = try Safetensors.decode(data, path: "input", inputDimension: nil, outputDimension: nil)
        return "layers \(model.layers.layerWidths), \(model.activation), \(model.network.layers.count) steps"
    },
    "onnx": { data in "input shape \(try ONNX.network(from: data, name: "input").inputShape)" },
    "npy": { data in "shape \(try Numpy.parse(data, name: "input").shape)" },
]

/// Every target by name: the readers, and the analyses behind them (`analysis-READER`).
let targets = readers.merging(analyses) { reader, _ in reader }

/// The target the fuzzer drives, read from the environment once.
let fuzzedReader: @Sendable (Data) throws -> String = {
    let name = ProcessInfo.processInfo.environment["REGIONPLOT_FUZZ_READER"] ?? ""
    guard let reader = targets[name] else {
        fatalError("set REGIONPLOT_FUZZ_READER to one of \(targets.keys.sorted().joined(separator: ", "))")
    }
    return reader
}()

/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? fuzzedReader(data)
    return 0
}

#if FUZZING
/// libFuzzer's driver, which parses its flags and calls the entry point above.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafeRawPointer?, Int) -> CInt
) -> CInt

/// The program's entry: SwiftPM links an executable's `main` to `<target>_main`, so the fuzzer build provides
/// that name and hands control to libFuzzer.
@_cdecl("FuzzReaders_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    _ = fuzzedReader  // fail at once on a missing REGIONPLOT_FUZZ_READER
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
/// Replays inputs: prints one line per file, `ok …` or `error …`.
@main enum Replay {
    static func main() throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let reader = targets[name] else {
            print("usage: FuzzReaders \(targets.keys.sorted().joined(separator: "|")) FILE_OR_FOLDER …")
            exit(2)
        }
        for argument in arguments.dropFirst() {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder)
            let files = isFolder.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map { argument + "/" + $0 }
                : [argument]
            for file in files {
                do { print("ok \(file): \(try reader(try Data(contentsOf: URL(fileURLWithPath: file))))") } catch {
                    print("error \(file): \(error)")
                }
            }
        }
    }
}
#endif
