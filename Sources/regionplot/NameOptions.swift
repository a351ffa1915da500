import ArgumentParser
import Experiments
import FoundationEssentials
import Support

/// `--title` and `--class-names`: the user's names in figures and tables.
struct ClassNameOptions: ParsableArguments {
    @Option(help: "Title of the main figure (default: its own).")
    var title: String?

    @Option(help: ArgumentHelp("Class names for legends, ticks and tables: comma-separated (zero,one,…) or a text "
        + "file with one name per line."))
    var classNames: String?

    /// The names given, checked against the model's `classes`: one name per class, none empty.
    func names(classes: Int) throws -> [String]? {
        guard let classNames else { return nil }
        let list: [String]
        if isFolder(atPath: classNames) == false {
            guard let text = try? String(contentsOfFile: classNames, encoding: .utf8) else {
                throw ValidationError("--class-names: \(classNames) is not a readable UTF-8 text file")
            }
            list = text.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }
                .filter { !$0.isEmpty }
        } else {
            list = classNames.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingWhitespace() }
        }
        guard list.count == classes, list.allSatisfy({ !$0.isEmpty }) else {
            throw ValidationError("--class-names gives \(list.count) names (\(list.filter(\.isEmpty).count) empty); "
                + "the model has \(classes) classes, so \(classes) non-empty names are needed")
        }
        return list
    }
}

/// `--label-a` and `--label-b`: the two networks' names in figures and tables.
struct NetNameOptions: ParsableArguments {
    @Option(help: "Name of network a in figures (default: its file's stem, or a).")
    var labelA: String?

    @Option(help: "Name of network b in figures (default: its file's stem, or b).")
    var labelB: String?

    /// The names: given, else the stems of `pathA` and `pathB` (when given and different), else a and b.
    func names(pathA: String?, pathB: String?) -> (String, String) {
        let stemA = pathA.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        let stemB = pathB.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
        let stems = stemA != nil && stemB != nil && stemA != stemB ? (stemA!, stemB!) : ("a", "b")
        return (labelA ?? stems.0, labelB ?? stems.1)
    }
}
