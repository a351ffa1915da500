import Foundation
import Testing
@testable import Plot

@Suite struct Projection {
    /// MATPLOTLIB-FACTS.md: mplot3d's projection matrix for limits [0, 1]³ and the default view.
    @Test func matrixMatchesMatplotlib() {
        let p = Projection3D(limits: [(0, 1), (0, 1), (0, 1)])
        let expected: [[Double]] = [
            [1.030983, 0.595238, 0, -0.81311],
            [-0.297619, 0.515491, 0.773237, -0.495555],
            [0, 0, 0, -10],
            [-0.515491, 0.892857, -0.446429, 10.034531],
        ]
        for i in 0..<4 { for j in 0..<4 {
            // The facts are printed to 6 decimals.
            #expect(isApproximatelyEqual(p.matrix[i][j], expected[i][j], absolute: 1e-5), "M[\(i)][\(j)]")
        } }
    }

    @Test(arguments: [
        ([0.0, 0, 0], [-0.081031, -0.049385, -0.996559]),
        ([1.0, 0, 0], [0.022888, -0.083325, -1.050526]),
        ([0.0, 1, 0], [-0.019938, 0.001824, -0.915132]),
        ([0.0, 0, 1], [-0.084804, 0.028961, -1.042959]),
        ([1.0, 1, 1], [0.081593, 0.049727, -1.003465]),
        ([0.5, 0.5, 0.5], [0.0, 0, -1]),
    ])
    func testVectors(point: [Double], expected: [Double]) {
        let p = Projection3D(limits: [(0, 1), (0, 1), (0, 1)]).project(point[0], point[1], point[2])
        #expect(isApproximatelyEqual(p.x, expected[0], absolute: 1e-6))
        #expect(isApproximatelyEqual(p.y, expected[1], absolute: 1e-6))
        #expect(isApproximatelyEqual(p.depth, expected[2], absolute: 1e-6))
    }

    @Test func limitsScaleTheWorld() {
        // Limits [−2, 2] on every axis put the data point 2 where [0, 1] puts 1.
        let a = Projection3D(limits: [(-2, 2), (-2, 2), (-2, 2)]).project(2, 2, 2)
        let b = Projection3D(limits: [(0, 1), (0, 1), (0, 1)]).project(1, 1, 1)
        #expect(isApproximatelyEqual(a.x, b.x, absolute: 1e-12) && isApproximatelyEqual(a.y, b.y, absolute: 1e-12))
    }
}

@Suite struct TickLocation {
    /// Cases read off matplotlib 3.11 (AutoLocator) for the notebook's figures.
    @Test func niceStepsLikeMatplotlib() {
        #expect(niceTicks(from: -2.2, to: 2.2, maxBins: 9) == [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2])
        #expect(niceTicks(from: -1.1, to: 1.1, maxBins: 9) == [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1])
        #expect(niceTicks(from: -1.1, to: 1.1, maxBins: 8) == [-1, -0.5, 0, 0.5, 1])
        #expect(niceTicks(from: -0.05, to: 1.05, maxBins: 9).count == 6)
        // 3-D axes: the raw step shrinks by 23/24, so [−1.1458, 1.1458] with 9 bins steps by 0.25.
        #expect(niceTicks(from: -1.1458333, to: 1.1458333, maxBins: 9, rawStepFactor: 23.0 / 24).count == 9)
        #expect(niceTicks(from: -1.1458333, to: 1.1458333, maxBins: 8, rawStepFactor: 23.0 / 24) == [-1, -0.5, 0, 0.5, 1])
    }

    @Test func labelsUseFewestDecimalsAndRealMinus() {
        #expect(tickLabels([-1, -0.5, 0, 0.5, 1]) == ["\u{2212}1.0", "\u{2212}0.5", "0.0", "0.5", "1.0"])
        #expect(tickLabels([-1, -0.75, -0.5]) == ["\u{2212}1.00", "\u{2212}0.75", "\u{2212}0.50"])
        #expect(tickLabels([0, 1, 2]) == ["0", "1", "2"])
        #expect(tickLabels([0, 0.2, 0.4]) == ["0.0", "0.2", "0.4"])
    }

    @Test func marginsAreFivePercent() {
        let (lo, hi) = paddedLimits([-1, 1])
        #expect(abs(lo + 1.1) < 1e-12 && isApproximatelyEqual(hi, 1.1, absolute: 1e-12))
        let (a, b) = paddedLimits([3, 3])
        #expect(a < 3 && b > 3)
    }
}

@Suite struct MathTextParsing {
    @Test func variablesItalicOperatorsSpacedMinusReal() {
        let runs = MathText.runs("$f(x,y) = -2x+1$")
        let italic = runs.filter(\.italic).map(\.text).joined()
        #expect(italic == "fxyx")
        let text = runs.map(\.text).joined()
        #expect(text == "f(x,y)\u{2009}=\u{2009}\u{2212}2x\u{2009}+\u{2009}1")
    }

    @Test func mixedPlainAndMath() {
        let runs = MathText.runs("XOR$(x, y)$")
        #expect(runs.first == TextRun("XOR(", italic: false))
        #expect(runs.map(\.text).joined() == "XOR(x,y)")
        #expect(MathText.runs("plain").count == 1)
        #expect(MathText.runs("costs $5").map(\.text).joined() == "costs $5")
    }
}

/// A renderer that records what it is asked to draw: the figure code tested without pixels.
final class RecordingRenderer: Renderer {
    var paths: [(Path, PathStyle)] = []
    var markers: [MarkerBatch] = []
    var texts: [(String, Point, Double)] = []
    /// The size of each text, in the order drawn.
    var textSizes: [Double] = []
    var clips = 0

    func draw(_ path: Path, style: PathStyle) { paths.append((path, style)) }
    func draw(_ markers: MarkerBatch) { self.markers.append(markers) }
    func measure(_ runs: [TextRun], size: Double) -> TextMetrics {
        TextMetrics(width: Double(runs.map(\.text.count).reduce(0, +)) * size * 0.6, ascent: size * 0.75, descent: size * 0.25)
    }
    func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        texts.append((runs.map(\.text).joined(), origin, rotation))
        textSizes.append(size)
    }
    func pushClip(_ rect: Rect) { clips += 1 }
    func popClip() { clips -= 1 }
}

@Suite struct FigureLayout {
    /// A wrapped title ends in a line balanced against the one above, not in a lone word; what fits stays on one
    /// line, and explicit line breaks stay. (RecordingRenderer: 6 units a character at size 10.)
    @Test func wrappedTitlesEndBalanced() {
        let renderer = RecordingRenderer()
        let title = "net a: 42 regions (101×101 probes: 42)"
        // Greedy at 35 characters: "net a: 42 regions (101×101 probes:" over "42)".
        #expect(renderer.titleLines(title, size: 10, width: 210) == ["net a: 42 regions", "(101×101 probes: 42)"])
        #expect(renderer.titleLines(title, size: 10, width: 240) == [title])
        #expect(renderer.titleLines("a b c d\ne", size: 10, width: 1000) == ["a b c d", "e"])
        // Three lines: only the last two are balanced, and no line is wider than the width.
        let lines = renderer.titleLines("aaaa bbbb cccc dddd eeee ffff gggg hhhh i", size: 10, width: 90)
        #expect(lines.allSatisfy { Double($0.count) * 6 <= 90 })
        #expect(lines.joined(separator: " ") == "aaaa bbbb cccc dddd eeee ffff gggg hhhh i")
        #expect(lines.last != "i")
    }

    @Test func subplotCellsFollowMatplotlibParameters() {
        let figure = Figure(width: 10, height: 10, dpi: 100)
        let r = figure.rect(of: SubplotCell(rows: 2, columns: 2, index: 2))
        // Width: 0.775 · 1000 / 2.2; the second column starts one cell plus wspace later.
        let cell = 775.0 / 2.2
        #expect(isApproximatelyEqual(r.width, cell, absolute: 1e-9))
        #expect(isApproximatelyEqual(r.x, (125 + cell * 1.2), absolute: 1e-9))
        #expect(isApproximatelyEqual(r.y, 120, absolute: 1e-9))
    }

    @Test func scatterLandsWhereTheDataIs() {
        let figure = Figure(width: 6.4, height: 4.8, dpi: 100)
        let axes = figure.addAxes()
        axes.scatter([0, 1], [0, 1], color: .red, size: 100, label: "pts")
        axes.title = "T"
        axes.legendLocation = .upperLeft
        let recorder = RecordingRenderer()
        figure.draw(on: recorder)
        let box = figure.rect(of: SubplotCell(rows: 1, columns: 1, index: 1))
        let batch = recorder.markers[0]
        // With 5 % margins, x = 0 sits 1/22 of the width in from the left; y = 0 as far up from the bottom.
        #expect(isApproximatelyEqual(batch.centers[0].x, (box.x + box.width / 22), absolute: 1e-9))
        #expect(isApproximatelyEqual(batch.centers[0].y, (box.maxY - box.height / 22), absolute: 1e-9))
        #expect(isApproximatelyEqual(batch.diameter, 10 * 100 / 72, absolute: 1e-9))
        #expect(recorder.texts.contains { $0.0 == "T" })
        #expect(recorder.texts.contains { $0.0 == "pts" })
        #expect(recorder.clips == 0)
    }

    @Test func threeDScatterIsDepthSortedAndShaded() {
        let figure = Figure(width: 7, height: 7)
        let axes = figure.addAxes3D()
        axes.scatter([0, 1], [1, 0], [0, 0], color: .blue)
        let recorder = RecordingRenderer()
        figure.draw(on: recorder)
        let batch = recorder.markers[0]
        // (0, 1, 0) is farther from the default camera than (1, 0, 0): drawn first, and lighter.
        #expect(batch.colors.count == 2)
        #expect(batch.colors[0].alpha < batch.colors[1].alpha)
        #expect(batch.colors[1].alpha == 1)
    }

    @Test func wireframeDrawsEveryStridedLineAndTheLast() {
        let w = WireframeArtist(x: Array(repeating: 0, count: 100), y: Array(repeating: 0, count: 100), z: Array(repeating: 0, count: 100),
                                rows: 10, columns: 10, rowStride: 4, columnStride: 4, color: .black, width: 1, label: nil)
        // Rows 0, 4, 8, 9 and the same columns.
        #expect(w.polylines.count == 8)
    }
}

@Suite struct Styles {
    /// Machado, Oliveira and Fernandes (2009), severity 1: linear RGB → simulated linear RGB.
    static let deuteranopia: [[Double]] = [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                                           [-0.011820, 0.042940, 0.968881]]
    static let protanopia: [[Double]] = [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                                         [-0.003882, -0.048116, 1.051998]]

    static func simulate(_ c: Color, _ m: [[Double]]) -> [Double] {
        func linear(_ v: Double) -> Double { v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
        let rgb = [linear(c.red), linear(c.green), linear(c.blue)]
        return m.map { row in min(1, max(0, zip(row, rgb).map(*).reduce(0, +))) }
    }

    /// The notebook's red and green merge for a deuteranope; the paper style's replacements stay far apart.
    @Test(arguments: [deuteranopia, protanopia])
    func paperClassesStayApartUnderColourBlindness(_ m: [[Double]]) {
        func distance(_ a: Color, _ b: Color) -> Double {
            zip(Self.simulate(a, m), Self.simulate(b, m)).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        }
        let paper = Style.paper
        #expect(distance(paper.resolve(.red), paper.resolve(.green)) > 0.4)
        #expect(distance(.red, .green) < distance(paper.resolve(.red), paper.resolve(.green)) / 2)
    }

    @Test func tintsFollowTheirColour() {
        let paper = Style.paper
        let tint = Color(1 + (0.84 - 1) * 0.5, 1 + (0.15 - 1) * 0.5, 1 + (0.16 - 1) * 0.5)
        let expected = paper.resolve(Color(0.84, 0.15, 0.16))
        let got = paper.resolve(tint)
        #expect(isApproximatelyEqual(got.red, (1 + (expected.red - 1) * 0.5), absolute: 1e-9))
        #expect(isApproximatelyEqual(got.blue, (1 + (expected.blue - 1) * 0.5), absolute: 1e-9))
        #expect(paper.resolve(.black) == .black)
        #expect(Style.notebook.resolve(.red) == .red)
    }

    /// The written-out tint match and the batch resolver give what the first, plain version of `resolve` gave, on
    /// every palette colour, tints of them, alphas and random colours (exactly: the same arithmetic).
    @Test func resolveEqualsItsPlainReference() {
        func reference(_ style: Style, _ color: Color) -> Color {
            guard !style.palette.isEmpty else { return color }
            if let exact = style.palette[color.withAlpha(1)] { return exact.withAlpha(color.alpha) }
            // In the palette's fixed order: by the listed colour's channels.
            let ordered = style.palette.sorted { a, b in
                (a.key.red, a.key.green, a.key.blue, a.key.alpha) < (b.key.red, b.key.green, b.key.blue, b.key.alpha)
            }
            for (from, to) in ordered {
                var s: Double?
                var consistent = true
                for (c, f) in [(color.red, from.red), (color.green, from.green), (color.blue, from.blue)] {
                    let span = f - 1
                    if abs(span) < 1e-6 {
                        if abs(c - 1) > 1e-3 { consistent = false }
                        continue
                    }
                    let t = (c - 1) / span
                    if let s, abs(s - t) > 1e-3 { consistent = false }
                    s = s ?? t
                }
                if consistent, let s, s > 0, s <= 1 {
                    return Color(1 + (to.red - 1) * s, 1 + (to.green - 1) * s, 1 + (to.blue - 1) * s, alpha: color.alpha)
                }
            }
            return color
        }
        var g = SplitMix64(seed: 7)
        var colors: [Color] = [.black, .white, .red, Color(1, 1, 1, alpha: 0.3)]
        for from in Style.paper.palette.keys {
            // 0.0004: a near-white colour, within the tolerance of a tint of every listed colour.
            for s in [0.0, 0.0004, 0.25, 0.5, 1.0, 1.2] {
                colors.append(Color(1 + (from.red - 1) * s, 1 + (from.green - 1) * s, 1 + (from.blue - 1) * s,
                                    alpha: s == 0.5 ? 0.4 : 1))
            }
        }
        for _ in 0..<200 {
            colors.append(Color(Double.random(in: 0...1, using: &g), Double.random(in: 0...1, using: &g),
                                Double.random(in: 0...1, using: &g)))
        }
        for style in Style.all {
            let batch = style.resolveAll(colors + colors)
            for (k, color) in (colors + colors).enumerated() {
                #expect(style.resolve(color) == reference(style, color))
                #expect(batch[k] == reference(style, color))
            }
        }
    }

    /// A colour that is a tint of several listed colours (near white) resolves the same whatever order the
    /// palette's dictionary walks in: the same palette built in other insertion orders and capacities (a
    /// dictionary's order, which also changes from run to run with Swift's per-process hash seed) gives the same
    /// colours. Before, a paper figure's near-white cells changed colour slightly from one run to the next.
    @Test func resolveDoesNotDependOnThePalettesOrder() {
        let entries = Array(Style.paper.palette)
        var forward: [Color: Color] = [:], backward: [Color: Color] = [:]
        backward.reserveCapacity(1000)
        for (k, v) in entries { forward[k] = v }
        for (k, v) in entries.reversed() { backward[k] = v }
        let a = Style(name: "a", palette: forward), b = Style(name: "b", palette: backward)
        var nearWhite: [Color] = []
        for from in entries.map(\.key) {
            for s in [0.0002, 0.0005, 0.0009, 0.002] {
                nearWhite.append(Color(1 + (from.red - 1) * s, 1 + (from.green - 1) * s, 1 + (from.blue - 1) * s))
            }
        }
        for color in nearWhite + [Color(0.9997, 0.9998, 0.9999), Color(0.9999, 0.9995, 0.9993)] {
            #expect(a.resolve(color) == b.resolve(color), "\(color)")
            #expect(a.resolve(color) == Style.paper.resolve(color), "\(color)")
        }
    }

    @Test func paperHidesTopAndRightSpinesAndScalesText() throws {
        let figure = Figure(width: 4, height: 3)
        let axes = figure.addAxes()
        axes.plot([0, 1], [0, 1], color: .blue)
        axes.title = "T"
        figure.style = .paper
        let recorder = RecordingRenderer()
        figure.draw(on: recorder)
        // The spines: one open path of three points, not a closed rectangle.
        let spines = recorder.paths.filter { $0.1.stroke == .black && $0.0.subpaths[0].count >= 3 }
        #expect(spines.count == 1 && spines[0].0.closed == false)
        // Titles at 1.2 × 8 pt.
        let title = try #require(recorder.texts.firstIndex { $0.0 == "T" })
        #expect(isApproximatelyEqual(recorder.textSizes[title], 9.6 * 100 / 72, absolute: 1e-9))
        // The data line in Okabe–Ito blue.
        #expect(recorder.paths.contains { $0.1.stroke == Style.okabeIto[0] })
    }
}

@Suite struct LogTickLabels {
    /// One form for every decade, as matplotlib's LogFormatterSciNotation: no "0.0001" beside "1e-06".
    @Test func decadesAreTenToThePower() {
        #expect(AxisScale.log.logLabel(1e-6) == "10⁻⁶")
        #expect(AxisScale.log.logLabel(1e-4) == "10⁻⁴")
        #expect(AxisScale.log.logLabel(1) == "10⁰")
        #expect(AxisScale.log.logLabel(1000) == "10³")
        #expect(AxisScale.log.logLabel(0.05) == "5×10⁻²")
    }

    /// A view of less than a decade still gives a scale: at least two labels, at their values' places.
    @Test func shortViewsKeepTwoLabels() {
        func labels(_ lo: Double, _ hi: Double) -> [(Double, String)] {
            AxisScale.log.ticks(from: log10(lo), to: log10(hi), maxBins: 6).compactMap { t in t.label.map { (t.position, $0) } }
        }
        // 0.15 … 0.45: of its minor ticks only 2 × 10⁻¹ is labelled, so all three are.
        #expect(labels(0.15, 0.45).map(\.1) == ["2×10⁻¹", "3×10⁻¹", "4×10⁻¹"])
        // 2.0 … 2.35: one minor tick in view, so plain values at a linear step, each where its value lies.
        let short = labels(2.0, 2.35)
        #expect(short.map(\.1) == ["2.0", "2.1", "2.2", "2.3"])
        for (position, text) in short { #expect(abs(position - log10(Double(text)!)) < 1e-12) }
        // Two decades and more: the decades only, as before.
        #expect(labels(1e-3, 1).map(\.1) == ["10⁻³", "10⁻²", "10⁻¹", "10⁰"])
    }
}

/// The fast paths of the 3-D figures against their references.
@Suite struct FastProjection {
    /// Seeded points over several boxes, views and magnitudes.
    static func points(_ seed: UInt64, count: Int) -> [(Double, Double, Double)] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        return (0..<count).map { _ in (next() * 3, next() * 3, next() * 1e3) }
    }

    /// The allocation-free projection sums in the reference's order, so it agrees to the last bit (0 ulp).
    @Test(arguments: [(30.0, -60.0), (10.0, 20.0), (-45.0, 135.0), (90.0, 0.0)])
    func projectionEqualsTheMatrixReferenceExactly(_ view: (Double, Double)) {
        let p = Projection3D(limits: [(-2, 3), (-1, 1), (-500, 900)], elevation: view.0, azimuth: view.1)
        for (x, y, z) in Self.points(7, count: 2000) + [(0, 0, 0), (-2, -1, -500), (3, 1, 900)] {
            let fast = p.project(x, y, z), reference = p.projectReference(x, y, z)
            #expect(fast.x == reference.x && fast.y == reference.y && fast.depth == reference.depth)
        }
    }

    /// A depth-shaded 3-D scatter draws the same markers, in the same order and colours, as the reference that
    /// projects each point where it is needed and stable-sorts by depth; ties (repeated points) included.
    @Test(arguments: [false, true])
    func scatterDrawEqualsItsReference(_ depthShade: Bool) {
        var points = Self.points(11, count: 3000)
        points += points.prefix(200)   // exact ties in depth
        let scatter = ScatterArtist(x: points.map(\.0), y: points.map(\.1), z: points.map(\.2),
                                    colors: [Color(0.1, 0.4, 0.7, alpha: 0.8)], diameter: 1, edgeWidth: 1,
                                    label: nil, depthShade: depthShade)
        let t = Transform3D(projection: Projection3D(limits: [(-3, 3), (-3, 3), (-1000, 1000)]),
                            box: Rect(x: 10, y: 20, width: 400, height: 400), pointsToPixels: 100.0 / 72)
        let fast = RecordingRenderer(), reference = RecordingRenderer()
        scatter.draw(on: fast, transform: t)
        scatter.drawReference(on: reference, transform: t)
        let a = fast.markers[0], b = reference.markers[0]
        #expect(a.centers == b.centers)
        #expect(a.colors == b.colors)
        #expect(a.diameter == b.diameter && a.edgeWidth == b.edgeWidth)
        let nearest = points.map { t.projection.projectReference($0.0, $0.1, $0.2).depth }.min()
        #expect(scatter.sortDepth(transform: t) == nearest)
    }
}
