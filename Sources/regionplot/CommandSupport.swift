import ArgumentParser
import Experiments
import Foundation
import Plot
import PlotCairo

// What every subcommand shares: figure options, report writing and the one-line error.

/// Options shared by the figure-writing notebook commands.
struct FigureOptions: ParsableArguments {
    @Option(help: "Figure formats, comma-separated: png, svg, pdf.")
    var format: String = "png"

    @Option(help: "Figure resolution in dots per inch (PNG).")
    var dpi: Double = 100

    func validate() throws {
        guard dpi.isFinite, dpi >= 10, dpi <= 1200 else { throw ValidationError("--dpi must be between 10 and 1200, got \(dpi)") }
        _ = try parseFormats(format)
    }

    /// Writes each figure as `<folder>/<name>.<format>` in every asked format; returns the paths.
    func write(_ figures: [(String, Figure)], into folder: String) throws -> [String] {
        var paths: [String] = []
        for format in try parseFormats(format) {
            for (name, figure) in figures {
                let path = "\(folder)/\(name).\(format.rawValue)"
                try FigureFile.write(figure, to: path, format: format)
                paths.append(path)
            }
        }
        return paths
    }
}

/// Prints `message` as a one-line error and exits with code 1.
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("regionplot: error: \(message)\n".utf8))
    return ExitCode(1)
}

/// Writes a report and prints where it went; failures become one-line errors and exit code 1.
func writeReport(_ document: JSONValue, into folder: String) throws -> String {
    try prepareOutputFolder(folder)
    let path = folder + "/report.json"
    try writeAtomically(Data((document.serialized() + "\n").utf8), to: path)
    return path
}

/// Parses a `--format` value such as `png,svg`.
func parseFormats(_ text: String) throws -> [ImageFormat] {
    let list = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !list.isEmpty else { throw ValidationError("--format needs at least one of png, svg, pdf") }
    return try list.map { name in
        guard let f = ImageFormat(rawValue: name.lowercased()) else {
            throw ValidationError("--format: unknown format '\(name)' (use png, svg or pdf)")
        }
        return f
    }
}
