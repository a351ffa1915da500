import Experiments
import Foundation
import NeuralNet
import Plot
import PlotCairo
import RegionAnalysis
import Support
import Testing
@testable import regionplot

/// A sharded sweep's manifest keeps the arguments every shard shares.
@Suite struct SweepArgumentsTests {
    @Test func theManifestKeepsWhatEveryShardShares() {
        let arguments = ["--phase-diagram", "--shard", "2/3", "--seeds", "0-2", "--out=x", "--summarize", "d",
                         "--shard=1/3", "--out", "y", "--p", "5"]
        #expect(sweepArguments(arguments) == ["--phase-diagram", "--seeds", "0-2", "--p", "5"])
    }
}

/// The library says its settings in its own words; the command line says them by their flags.
@Suite struct SettingFlagsTests {
    /// The package's root, from this file's path.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Every Swift file under `folder`, with its text.
    static func sources(_ folder: String) -> [(path: String, text: String)] {
        let base = root.appendingPathComponent(folder)
        let files = FileManager.default.enumerator(atPath: base.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".swift") }.sorted().compactMap { name in
            (try? String(contentsOf: base.appendingPathComponent(name), encoding: .utf8)).map { (folder + "/" + name, $0) }
        }
    }

    @Test func oneMessageReadsInBothVocabularies() {
        let message: SettingMessage = "the slice is too large; a smaller \(Setting.size) shrinks it, "
            + "\(Setting.threads, 1) lowers it"
        #expect(message.description == "the slice is too large; a smaller size shrinks it, threads 1 lowers it")
        #expect(message.commandLineText
            == "the slice is too large; a smaller --size shrinks it, --threads 1 lowers it")
        #expect(message.settings == [.size, .threads])
    }

    /// The library's errors: the training error names --lr, --epochs and --max-attempts on the command line only.
    @Test func trainingAdviceNamesFlagsOnlyOnTheCommandLine() {
        let error = XORTrainingError.accuracyNotReached(attempts: 3, bestAccuracy: 0.5, divergedAttempts: 0,
                                                        settings: XORTrainingSettings(width: 2))
        #expect(!error.description.contains("--"))
        #expect(error.description.hasSuffix("Try a smaller learning rate, more epochs or a larger attempt limit."))
        #expect(commandLineMessage(error).hasSuffix("Try a smaller --lr, more --epochs or a larger --max-attempts."))
        var settings = XORExperimentSettings()
        settings.localComplexityRadius = -1
        #expect(throws: InvalidSetting.self) { try settings.validate() }
        do { try settings.validate() } catch {
            #expect("\(error)" == "local-complexity radius must be a positive number, got -1.0")
            #expect(commandLineMessage(error) == "--lc-radius must be a positive number, got -1.0")
        }
    }

    /// No string literal in the library modules spells a command-line flag: messages name a `Setting`.
    @Test func noLibraryMessageNamesAFlag() {
        let flag = try! NSRegularExpression(pattern: #""[^"\n]*--[a-z][^"\n]*""#)
        var offenders: [String] = []
        for folder in ["Sources/Experiments", "Sources/RegionAnalysis", "Sources/NeuralNet"] {
            for (path, text) in Self.sources(folder) {
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let code = line.trimmingCharacters(in: .whitespaces)
                    if code.hasPrefix("//") { continue }
                    let range = NSRange(code.startIndex..., in: code)
                    if flag.firstMatch(in: code, range: range) != nil { offenders.append("\(path):\(number + 1)") }
                }
            }
        }
        #expect(offenders.isEmpty, "library strings naming a flag: \(offenders)")
        #expect(Self.sources("Sources/Experiments").count > 10, "the scan found the sources")
    }

    /// Every setting the library declares has a flag on the command line.
    @Test func everyDeclaredSettingHasAFlag() throws {
        let declaration = try NSRegularExpression(pattern: #"Setting\(key: "([A-Za-z]+)""#)
        var keys: [String] = []
        for folder in ["Sources/Experiments", "Sources/NeuralNet", "Sources/RegionAnalysis"] {
            for (_, text) in Self.sources(folder) {
                for match in declaration.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    keys.append(String(text[Range(match.range(at: 1), in: text)!]))
                }
            }
        }
        #expect(keys.count >= 20)
        let missing = keys.filter { SettingFlags.flags[$0] == nil }
        #expect(missing.isEmpty, "settings without a flag: \(missing)")
    }
}

/// Choices and lists are parsed by the argument parser, by one rule.
@Suite struct ArgumentTypeTests {
    @Test func commaListsFollowOneRule() {
        #expect(CommaList<Int>(argument: "1, 2,3 ")?.items == [1, 2, 3])
        #expect(CommaList<Int>(argument: "1, 2,3 ")?.text == "1, 2,3 ", "kept as given for a child's command line")
        for bad in ["", "1,,2", "1,", ",1", "1,a", " "] {
            #expect(CommaList<Int>(argument: bad) == nil, "'\(bad)'")
        }
        #expect(CommaList<ImageFormat>(argument: "PNG,svg")?.items == [.png, .svg])
        #expect(CommaList<ImageFormat>(argument: "png,gif") == nil)
    }

    @Test func choicesNameWhatTheyChoose() {
        #expect(StyleChoice(argument: "Paper") == .paper)
        #expect(Set(StyleChoice.allCases.map(\.style.name)) == Set(Style.all.map(\.name)), "one choice per style")
        #expect(ColumnChoice.single.width == 3.25 && ColumnChoice.double.width == 6.75)
        #expect(LegendChoice.off.location == nil && LegendChoice.outside.location == .outsideRight)
        #expect(DiagramChoice(argument: "weight-decay")?.kinds == [.weightDecay])
        #expect(DiagramChoice.both.kinds == PhaseDiagramKind.allCases)
        // report.json records a choice as typed, not as its Swift case name.
        #expect(Provenance.jsonValue(of: DiagramChoice.weightDecay) == .string("weight-decay"))
        #expect(Provenance.jsonValue(of: CommaList<Int>(argument: "1,10")!) == .string("1,10"))
    }
}
