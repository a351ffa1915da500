import Foundation
import Plot
@testable import PlotCairo
import Testing
@testable import Experiments

/// Every figure kind of every command, drawn in both styles at every size a user can ask for, audited by
/// `LayoutAudit` (nothing cut off, no text over text, no legend over data, equal aspects kept, no squashed axes).
/// The figures come from the small runs the snapshot suites make; they are laid out through a scene recorder that
/// measures text with Cairo's fonts, as the PNG, SVG and PDF writers do, without drawing pixels.
@Suite struct LayoutAuditTests {
    /// The sizes of `--column single`, `--column double`, `--figsize 3.25x2.4` and each figure's own.
    enum Size: String, CaseIterable {
        case own = "default size", single = "--column single", double = "--column double"
        case small = "--figsize 3.25x2.4"

        /// What `FigureLook.apply` does for this size.
        func apply(to figure: Figure) {
            switch self {
            case .own: break
            case .single: figure.fit(toColumnWidth: 3.25)
            case .double: figure.fit(toColumnWidth: 6.75)
            case .small: (figure.width, figure.height) = (3.25, 2.4)
            }
        }
    }

    /// The digits run with training snapshots (its steps and regions-over-training figures).
    static let digitsWithSnapshots: DigitsResult = {
        var settings = DigitsSettings(hidden: [8], epochs: 2,
                                      compare: CompareSettings(clusterCounts: [1], maxIterations: 5))
        settings.sliceGrid = 21
        settings.snapshotEvery = 1
        return try! DigitsRun.run(settings)
    }()

    static let backprop = BackpropExperiment(seed: 0)

    /// Every figure kind by name, with how to build it.
    static let builders: [(name: String, make: @Sendable () -> Figure?)] = {
        var list: [(String, @Sendable () -> Figure?)] = XORFigures.all(fixtureResult).map { ("xor " + $0.name, $0.make) }
        list.append(("xor training-trained", {
            XORFigures.training(fixtureResult.a.network, epochs: 100, accuracy: 1.0)
        }))
        for kind in ["abstraction-residuals", "nac-loss", "nac-matrices"] {
            list.append((kind, { NotebookFigureSnapshots.figure(kind) }))
        }
        list.append(("backprop-gradients", { BackpropExperiment.gradientsFigure(LayoutAuditTests.backprop) }))
        for kind in GrokkingFigureSnapshotTests.kinds {
            list.append((kind, { GrokkingFigureSnapshotTests.figure(kind) }))
        }
        let circuits = CircuitsExperiment.figures(CommandFigureSnapshots.circuitRuns, circuits: ["identity", "add", "min"],
                                                  seeds: [0, 1])
        list += circuits.map { ("circuits " + $0.name, $0.make) }
        list.append(("summary", { BatchSummary.figure(CommandFigureSnapshots.summaryRecords) }))
        list += CompareFigures.all(CommandFigureSnapshots.comparison).map { ("compare " + $0.name, $0.make) }
        list += DigitsFigures.all(digitsWithSnapshots).map { ("digits " + $0.name, $0.make) }
        list += SliceFigures.all(CommandFigureSnapshots.cnnSlice).map { ("slice cnn " + $0.name, $0.make) }
        list += SliceFigures.all(CommandFigureSnapshots.spiralSlice).map { ("slice spiral " + $0.name, $0.make) }
        for line in [false, true] {
            list.append(("slice random regions-vs-neurons" + (line ? " line" : ""), {
                RandomSlicesOutput.figure(try! RandomSlices.analyse(RandomSlicesTests.settings(line: line),
                                                                    networks: RandomSlicesTests.family,
                                                                    data: RandomSlicesTests.data).report)
            }))
        }
        return list
    }()

    /// With LAYOUT_AUDIT_ONLY=NAME, only that figure kind is audited (to look at one figure quickly).
    static let names = builders.map(\.name).filter {
        name in ProcessInfo.processInfo.environment["LAYOUT_AUDIT_ONLY"].map { $0 == name } ?? true
    }

    /// The violations of one figure kind in one style at one size.
    static func violations(_ name: String, style: Style, size: Size) -> [LayoutViolation]? {
        guard let figure = builders.first(where: { $0.name == name })!.make() else { return nil }
        figure.style = style
        size.apply(to: figure)
        return LayoutAudit.audit(figure, measuringWith: CairoRenderer.textMeasurer())
    }

    /// The rules figures still break somewhere (in some style, at some size): issue #26's work left to do. The
    /// test fails on any other violation, and on a rule listed here that the figure no longer breaks (so that the
    /// list only shrinks).
    static let stillBroken: [String: Set<LayoutViolation.Rule>] = [:]

    /// With LAYOUT_AUDIT_PNG=DIR, writes each audited figure to DIR as a PNG, to look at.
    static func writeForViewing(_ name: String, style: Style, size: Size) {
        guard let folder = ProcessInfo.processInfo.environment["LAYOUT_AUDIT_PNG"],
              let figure = builders.first(where: { $0.name == name })!.make() else { return }
        figure.style = style
        size.apply(to: figure)
        let sizeName = ["default size": "own", "--column single": "single", "--column double": "double"][size.rawValue]
            ?? "small"
        try? FigureFile.write(figure, to: "\(folder)/\(name.replacingOccurrences(of: " ", with: "_"))-\(style.name)-"
                              + "\(sizeName).png")
    }

    @Test(arguments: names)
    func figureKeepsEveryLayoutRule(_ name: String) {
        var report: [String] = []
        var broken: Set<LayoutViolation.Rule> = []
        // LAYOUT_AUDIT_ALL=1 reports every violation, listed or not.
        let all = ProcessInfo.processInfo.environment["LAYOUT_AUDIT_ALL"] != nil
        let known = all ? [] : Self.stillBroken[name] ?? []
        for style in Style.all {
            for size in Size.allCases {
                guard let found = Self.violations(name, style: style, size: size) else { continue }
                Self.writeForViewing(name, style: style, size: size)
                broken.formUnion(found.map(\.rule))
                report += found.filter { !known.contains($0.rule) }
                    .map { "\(name), \(style.name), \(size.rawValue): \($0)" }
            }
        }
        #expect(report.isEmpty, Comment(rawValue: report.joined(separator: "\n")))
        let mended = (all ? [] : Self.stillBroken[name] ?? []).subtracting(broken)
        #expect(mended.isEmpty, "\(name) no longer breaks \(mended.map(\.rawValue)): take it off stillBroken")
    }
}

/// Forwards everything to a Cairo renderer and logs each text drawn, with where.
private final class TextLog: Renderer {
    let base: Renderer
    var lines: [String] = []
    init(_ base: Renderer) { self.base = base }
    var measuresInkOnly: Bool { base.measuresInkOnly }
    func draw(_ path: Path, style: PathStyle) { base.draw(path, style: style) }
    func draw(_ markers: MarkerBatch) { base.draw(markers) }
    func measure(_ runs: [TextRun], size: Double) -> TextMetrics { base.measure(runs, size: size) }
    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        lines.append(String(format: "%@ %.4f at (%.4f, %.4f)", runs.map(\.text).joined(), size, origin.x, origin.y))
        base.drawText(runs, size: size, color: color, origin: origin, rotation: rotation)
    }
    func pushClip(_ rect: Rect) { base.pushClip(rect) }
    func popClip() { base.popClip() }
    func drawRasterized(_ body: (Renderer) -> Void) { base.drawRasterized(body) }
    func fillPolygons(_ polygons: [[Point]], colors: [Color], disjoint: Bool) {
        base.fillPolygons(polygons, colors: colors, disjoint: disjoint)
    }
    func strokeOutlines(_ polygons: [[Point]], color: Color, lineWidth: Double) {
        base.strokeOutlines(polygons, color: color, lineWidth: lineWidth)
    }
}

/// PNG, SVG and PDF share one layout: every text of a figure is drawn at the same place, the same size, with the
/// same words, whatever the surface (the paper style once wrapped titles and chose tick steps differently in PNG,
/// whose surface rounded glyph advances to its pixels).
@Test(arguments: ["compare transferred-confusion", "abstraction-residuals", "grokking-accuracy", "xor partition-a"])
func everyFormatSharesOneLayout(_ name: String) throws {
    var logs: [ImageFormat: [String]] = [:]
    for format in ImageFormat.allCases {
        let figure = try #require(LayoutAuditTests.builders.first { $0.name == name }?.make())
        figure.style = .paper
        figure.fit(toColumnWidth: 3.25)
        var log: TextLog?
        _ = try FigureFile.encode(figure, format: format) { base in
            let l = TextLog(base)
            log = l
            return l
        }
        logs[format] = log?.lines
    }
    #expect(!(logs[.png] ?? []).isEmpty)
    #expect(logs[.png] == logs[.svg], "\(name): PNG and SVG laid out differently")
    #expect(logs[.png] == logs[.pdf], "\(name): PNG and PDF laid out differently")
}


/// Each layout rule is needed: switched off, the audit finds its figure broken (issue #26's "Done when"). Each
/// figure here keeps every rule with all of them on (`figureKeepsEveryLayoutRule`); `expected` is the audit rule it
/// then breaks.
let layoutRuleCases: [(LayoutRule, String, String, LayoutAuditTests.Size, LayoutViolation.Rule)] = [
    (.fitNarrowFigures, "backprop-gradients", "notebook", .single, .textOverText),
    (.widenCrowdedGaps, "digits regions-over-training", "notebook", .own, .textOverText),
    (.wrapAxisLabels, "compare cluster-accuracy", "notebook", .small, .textOutsideCanvas),
    (.growInHeight, "backprop-gradients", "paper", .small, .textOverText),
    (.placeAnnotations, "xor handcrafted-regions", "paper", .own, .annotationOverData),
    (.moveLegends, "xor handcrafted-regions", "paper", .own, .legendOverData),
    (.wrapTitles, "slice spiral slice", "paper", .single, .textOutsideCanvas),
    (.keepEqualAspect, "xor partition-a", "notebook", .own, .aspectNotKept),
    (.fitCellNumbers, "nac-matrices", "paper", .single, .textOverText),
    (.keyCrowdedLabels, "digits slice-a", "paper", .small, .annotationOverData),
]

@Test(arguments: layoutRuleCases)
func everyLayoutRuleIsNeeded(_ rule: LayoutRule, _ name: String, _ styleName: String,
                             _ size: LayoutAuditTests.Size, _ expected: LayoutViolation.Rule) throws {
    let figure = try #require(LayoutAuditTests.builders.first { $0.name == name }?.make())
    figure.style = try #require(Style.named(styleName))
    size.apply(to: figure)
    let kept = LayoutAudit.audit(figure, measuringWith: CairoRenderer.textMeasurer())
    let broken = try #require(LayoutAuditTests.builders.first { $0.name == name }?.make())
    broken.style = figure.style
    broken.disabledLayoutRules = [rule]
    size.apply(to: broken)
    let found = LayoutAudit.audit(broken, measuringWith: CairoRenderer.textMeasurer())
    #expect(kept.isEmpty, "\(name), \(styleName), \(size.rawValue) with every rule: \(kept)")
    #expect(found.contains { $0.rule == expected },
            "\(name), \(styleName), \(size.rawValue) without \"\(rule.rawValue)\" breaks no \(expected.rawValue): \(found)")
    print("without \"\(rule.rawValue)\": \(name), \(styleName), \(size.rawValue): "
          + (found.first { $0.rule == expected }.map(String.init(describing:)) ?? ""))
}

/// Every layout rule has a case in `everyLayoutRuleIsNeeded`, and every audit rule but one is broken by one of
/// them there. The axes floor is shown on its own: a figure drawn at a size too small for its panels, with
/// growth in height switched off.
@Test func everyRuleHasAFigureThatBreaksIt() throws {
    #expect(Set(layoutRuleCases.map(\.0)) == Set(LayoutRule.allCases))
    #expect(Set(layoutRuleCases.map(\.4)).union([.axesTooSmall]) == Set(LayoutViolation.Rule.allCases))
    let figure = try #require(LayoutAuditTests.builders.first { $0.name == "backprop-gradients" }?.make())
    figure.style = .paper
    figure.disabledLayoutRules = [.growInHeight]
    (figure.width, figure.height) = (3.25, 1.2)
    let found = LayoutAudit.audit(figure, measuringWith: CairoRenderer.textMeasurer())
    #expect(found.contains { $0.rule == .axesTooSmall }, "\(found)")
    print("without \"\(LayoutRule.growInHeight.rawValue)\": backprop-gradients, paper, --figsize 3.25x1.2: "
          + (found.first { $0.rule == .axesTooSmall }.map(String.init(describing:)) ?? ""))
}
