import ArgumentParser
import Foundation
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
            .map { $0.trimmingCharacters(in: .whitespaces) }
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
