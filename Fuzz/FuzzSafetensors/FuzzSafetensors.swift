import Foundation
import NeuralNet

// A fuzz target for the safetensors reader. Built by `scripts/fuzz.sh safetensors` with libFuzzer and
// AddressSanitizer (`-sanitize=fuzzer,address`, `-D FUZZING`); in an ordinary build it is a replay tool that runs
// the reader on each file it is given, which is how the tests run the committed corpus.

/// libFuzzer's entry point: any bytes must give a network or a thrown error — never a crash, a trap or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    _ = try? Safetensors.decode(data, path: "input", inputDimension: nil, outputDimension: nil)
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
@_cdecl("FuzzSafetensors_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzSafetensors)
}
#else
/// Replays inputs: `FuzzSafetensors FILE_OR_FOLDER …` prints one line per file, `ok …` or `error …`.
@main enum Replay {
    static func main() throws {
        for argument in CommandLine.arguments.dropFirst() {
            var isFolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: argument, isDirectory: &isFolder)
            let files = isFolder.boolValue
                ? try FileManager.default.contentsOfDirectory(atPath: argument).sorted().map { argument + "/" + $0 }
                : [argument]
            for file in files {
                let data = try Data(contentsOf: URL(fileURLWithPath: file))
                do {
                    let (network, _) = try Safetensors.decode(data, path: file, inputDimension: nil, outputDimension: nil)
                    print("ok \(file): layers \(network.layerWidths)")
                } catch {
                    print("error \(error)")
                }
            }
        }
    }
}
#endif
