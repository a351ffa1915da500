import ArgumentParser
import FoundationEssentials
import Support
import Experiments
import Plot
import PlotCairo

// The values of choice and list flags, parsed by the argument parser itself (`ExpressibleByArgument`): the help
// lists each choice, and every command reads a list by the same rule.

/// `--style`: a figure style by name, in any case.
enum StyleChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case notebook, paper

    init?(argument: String) { self.init(rawValue: argument.lowercased()) }

    /// The style of this name.
    var style: Style { Style.all.first { $0.name == rawValue } ?? .notebook }
}

/// `--column`: a paper column's width.
enum ColumnChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case single, double

    init?(argument: String) { self.init(rawValue: argument.lowercased()) }

    /// The column's width in inches.
    var width: Double { self == .single ? 3.25 : 6.75 }
}

/// `--legend`: where every legend goes.
/// `--rasterize`: which collections go into SVG and PDF as one image (matplotlib's `rasterized=True`).
extension Rasterization: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

enum LegendChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case off, best, outside

    init?(argument: String) { self.init(rawValue: argument.lowercased()) }

    /// The placement (`nil`: no legend).
    var location: LegendLocation? {
        switch self {
        case .off: return nil
        case .best: return .best
        case .outside: return .outsideRight
        }
    }
}

/// `--diagram` of `grokking --phase-diagram`.
enum DiagramChoice: String, ExpressibleByArgument, CaseIterable, Sendable {
    case lr, weightDecay = "weight-decay", both, liu2022

    /// The diagrams it names.
    var kinds: [PhaseDiagramKind] {
        switch self {
        case .lr: return [.learningRates]
        case .weightDecay, .liu2022: return [.weightDecay]
        case .both: return [.learningRates, .weightDecay]
        }
    }
}

extension ImageFormat: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}

/// A comma-separated flag value, such as `--clusters 1,10,100`, by the one rule of every list flag: items are
/// trimmed of spaces, and the value is refused when it is empty, has an empty item (`1,,2`, a trailing comma)
/// or an item that is not an `Element`.
struct CommaList<Element: ExpressibleByArgument>: ExpressibleByArgument, CustomStringConvertible {
    var items: [Element]
    /// The value as given (for a child run's command line, and the help's default).
    var text: String

    init?(argument: String) {
        let parts = argument.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingWhitespace() }
        guard !parts.contains(where: \.isEmpty) else { return nil }
        let items = parts.compactMap { Element(argument: $0) }
        guard items.count == parts.count else { return nil }
        (self.items, text) = (items, argument)
    }

    var description: String { text }
    var defaultValueDescription: String { text }
    /// The choices of each item, for the help and for the message that refuses a value.
    static var allValueStrings: [String] { Element.allValueStrings }
}

extension CommaList: Sendable where Element: Sendable {}

/// A list flag read by one of the library's list rules — seeds and ranges (`0-4,7`), a phase diagram's distinct
/// rates — or by a rule of its own command (bench's grids and nets), but parsed by the argument parser like every
/// other list: a refused value is a usage error (exit 64) whose one line says what is wrong with it. Every rule
/// refuses an empty item (`1,,2`, a trailing comma), as ``CommaList`` does.
struct RuleList<Element: Sendable>: CustomStringConvertible, Sendable {
    var items: [Element]
    /// The value as given.
    var text: String

    var description: String { text }
}

extension RuleList {
    /// `text` read by `rule`. A refusal is the rule's message with settings named by their flags, without the
    /// flag's name in front: the argument parser names it ("The value '3-1' is invalid for '--seeds <seeds>':
    /// range '3-1' runs backwards").
    init(_ text: String, flag: String, rule: (String) throws -> [Element]) throws {
        do { items = try rule(text) } catch {
            var message = commandLineMessage(error)
            if message.hasPrefix(flag + ": ") { message.removeFirst(flag.count + 2) }
            throw ValidationError(message)
        }
        self.text = text
    }

    /// The items of `text` split at commas and trimmed, each read by `item`; an empty item is refused.
    static func items(_ text: String, _ item: (String) throws -> Element) throws -> [Element] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { part in
            let trimmed = part.trimmingWhitespace()
            guard !trimmed.isEmpty else { throw ValidationError("an item is empty") }
            return try item(trimmed)
        }
    }
}

extension RuleList where Element == Int {
    /// `--widths`: hidden widths, each at least 1.
    static func widths(_ text: String) throws -> Self { try Self(text, flag: "--widths", rule: BatchPlan.parseWidths) }

    /// `grokking --train-sizes`: numbers of training pairs, each at least 1, each once (whether each leaves a pair
    /// to test on depends on `--p`, and is checked with the other settings).
    static func trainSizes(_ text: String) throws -> Self {
        try Self(text, flag: "--train-sizes", rule: TrainSizePlan.parseTrainSizes)
    }
}

extension RuleList where Element == UInt64 {
    /// `--seeds`: a list and/or inclusive ranges (`0-9`, `0,3,5-7`), each seed once.
    static func seeds(_ text: String) throws -> Self { try Self(text, flag: "--seeds", rule: BatchPlan.parseSeeds) }
}

extension RuleList where Element == Double {
    /// A phase diagram's axis (`--repr-lrs 1e-4,1e-3`): distinct positive numbers (or zero, with `allowZero`).
    static func axis(_ flag: String, allowZero: Bool = false) -> @Sendable (String) throws -> Self {
        { text in
            try Self(text, flag: flag) { try PhaseDiagramPlan.parseValues($0, name: flag, allowZero: allowZero) }
        }
    }
}
