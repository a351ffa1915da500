import FoundationEssentials
import Glibc
import Plot
import RegionAnalysis

/// Training as pictures: the partition of a net at several epochs in one figure, and its region counts, local
/// complexity and loss against epoch.
public enum TrainingFigures {
    /// One panel of the small multiples: a snapshot's cells, each with the key of its activation pattern.
    public struct Panel: Sendable {
        public var title: String
        /// Cell polygons, in the plane's coordinates.
        public var cells: [[Point2]]
        /// One key per cell: a hash of its activation pattern (``patternKey(_:)``), which picks its colour.
        public var keys: [UInt64]
        /// The decision boundary as segments.
        public var boundary: [(Point2, Point2)]

        public init(title: String, cells: [[Point2]], keys: [UInt64], boundary: [(Point2, Point2)]) {
            (self.title, self.cells, self.keys, self.boundary) = (title, cells, keys, boundary)
        }
    }

    /// Labelled points drawn on every panel (the XOR points, or the slice's three data points).
    public struct Marks: Sendable {
        public var x: [Double], y: [Double]
        public var color: Color
        public var label: String

        public init(x: [Double], y: [Double], color: Color, label: String) {
            (self.x, self.y, self.color, self.label) = (x, y, color, label)
        }
    }

    /// A key for an activation pattern (bit k of word k / 64 is unit k): the same pattern gets the same key in
    /// every snapshot and every run, so that a region keeps its colour while it survives. SplitMix64's finaliser
    /// over the words, seeded by the word count: a fixed hash, unlike Swift's per-process `Hasher`.
    public static func patternKey(_ pattern: [UInt64]) -> UInt64 {
        pattern.withUnsafeBufferPointer(patternKey)
    }

    /// `patternKey(_:)` of words read in place.
    public static func patternKey(_ pattern: UnsafeBufferPointer<UInt64>) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(pattern.count &+ 1)
        for word in pattern {
            h ^= word
            h = (h ^ (h >> 30)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        return h
    }

    /// The key of a pattern given as one state per unit (a slice cell's states), eight states to a word.
    public static func patternKey(states: [UInt8]) -> UInt64 {
        var words = [UInt64](repeating: 0, count: (states.count + 7) / 8)
        for (k, state) in states.enumerated() { words[k / 8] |= UInt64(state) << (8 * UInt64(k % 8)) }
        return patternKey(words)
    }

    /// The light colour of a pattern key: hue from 16 bits, lightness and saturation from others, so that cells
    /// stay pale enough for the boundary and the points to read over them.
    public static func patternColor(_ key: UInt64) -> Color {
        let hue = Double(key & 0xFFFF) / 65536
        let saturation = 0.45 + 0.35 * Double((key >> 16) & 0xFF) / 255
        let lightness = 0.72 + 0.14 * Double((key >> 24) & 0xFF) / 255
        // HSL to RGB.
        let chroma = (1 - abs(2 * lightness - 1)) * saturation
        let h6 = hue * 6
        let x = chroma * (1 - abs(h6.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double)
        switch Int(h6) {
        case 0: (r, g, b) = (chroma, x, 0)
        case 1: (r, g, b) = (x, chroma, 0)
        case 2: (r, g, b) = (0, chroma, x)
        case 3: (r, g, b) = (0, x, chroma)
        case 4: (r, g, b) = (x, 0, chroma)
        default: (r, g, b) = (chroma, 0, x)
        }
        let m = lightness - chroma / 2
        return Color(r + m, g + m, b + m)
    }

    /// The small multiples: one panel per snapshot, three or four to a row (whichever leaves fewer cells empty),
    /// over a common domain; the legend goes into an empty cell, or beside the grid when there is none.
    public static func steps(_ panels: [Panel], domain: Domain, marks: [Marks], suptitle: String) -> Figure {
        let n = max(1, panels.count)
        let columns = n <= 4 ? n : ((n + 2) / 3 * 3 - n < (n + 3) / 4 * 4 - n ? 3 : 4)
        let rows = (n + columns - 1) / columns
        let figure = Figure(width: 10, height: 1.1 + 2.5 * Double(rows))
        figure.suptitle = suptitle
        figure.subplotTopEdge = 1 - 0.95 / figure.height
        figure.subplotBottomEdge = 0.5 / figure.height
        figure.subplotHeightSpace = 0.3
        layOut(panels, in: figure, columns: columns, domain: domain, marks: marks, legend: true)
        // In a paper's single column eleven panels would be stamps: the first, middle and last snapshots in one
        // row instead, without the suptitle (a paper's caption says it) or the legend.
        figure.narrowLayout = { figure in
            figure.removeAllPanels()
            let picks = Array(Set([0, (n - 1) / 2, n - 1])).sorted().filter { $0 < panels.count }
            figure.suptitle = nil
            (figure.subplotTopEdge, figure.subplotBottomEdge) = (Figure.subplotTop, Figure.subplotBottom)
            layOut(picks.map { panels[$0] }, in: figure, columns: max(1, picks.count), domain: domain, marks: marks,
                   legend: false)
        }
        return figure
    }

    /// Adds one panel per snapshot, `columns` to a row; the legend into an empty cell, or beside the grid.
    static func layOut(_ panels: [Panel], in figure: Figure, columns: Int, domain: Domain, marks: [Marks],
                       legend: Bool) {
        let rows = (panels.count + columns - 1) / columns
        if legend, rows * columns == panels.count { figure.subplotRightEdge = 0.72 }
        let (padX, padY) = (0.025 * (domain.xMax - domain.xMin), 0.025 * (domain.yMax - domain.yMin))
        let xTicks = niceTicks(domain.xMin, domain.xMax), yTicks = niceTicks(domain.yMin, domain.yMax)
        for (k, panel) in panels.enumerated() {
            let axes = figure.addAxes(rows: rows, columns: columns, index: k + 1)
            axes.polygons(panel.cells.map { $0.map { ($0.x, $0.y) } }, colors: panel.keys.map(patternColor),
                          edgeColor: Color(0.25, 0.25, 0.25, alpha: 0.8),
                          edgeWidth: panel.cells.count > 1500 ? 0.1 : 0.3, disjoint: true)
            axes.segments(panel.boundary.map { (($0.0.x, $0.0.y), ($0.1.x, $0.1.y)) }, color: .black, width: 1.6,
                          label: "decision boundary")
            for m in marks { axes.scatter(m.x, m.y, color: m.color, size: 40, label: m.label) }
            axes.xLimits = (domain.xMin - padX, domain.xMax + padX)
            axes.yLimits = (domain.yMin - padY, domain.yMax + padY)
            axes.title = panel.title
            axes.equalAspect = true
            // Shared axes: the same ticks everywhere, labelled on the outer panels only.
            let bottomOfColumn = k + columns >= panels.count
            axes.xTickValues = xTicks
            axes.yTickValues = yTicks
            axes.xTickLabels = bottomOfColumn ? tickLabels(xTicks) : xTicks.map { _ in "" }
            axes.yTickLabels = k % columns == 0 ? tickLabels(yTicks) : yTicks.map { _ in "" }
            if legend, k == panels.count - 1 { axes.legendLocation = .outsideRight }
        }
    }

    /// Two or three round ticks (multiples of 1, 2 or 5 × 10ᵏ) within [lo, hi]: few enough for small panels.
    static func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let span = hi - lo
        guard span > 0, span.isFinite else { return [lo] }
        let magnitude = pow(10, floor(log10(span)))
        for step in [magnitude / 5, magnitude / 2, magnitude, 2 * magnitude, 5 * magnitude] {
            let first = (lo / step).rounded(.up), last = (hi / step).rounded(.down)
            if last - first + 1 <= 3 {
                return stride(from: first, through: last, by: 1).map { $0 * step == 0 ? 0 : $0 * step }
            }
        }
        return [lo, hi]
    }

    /// One network's curves along training.
    public struct Curves: Sendable {
        public var label: String
        public var epochs: [Double]
        /// Exact region counts, when enumerated.
        public var exactRegions: [Double]?
        public var probeRegions: [Double]
        public var localComplexity: [Double]
        public var loss: [Double]
        public var accuracy: [Double]

        public init(label: String, epochs: [Double], exactRegions: [Double]?, probeRegions: [Double],
                    localComplexity: [Double], loss: [Double], accuracy: [Double]) {
            (self.label, self.epochs) = (label, epochs)
            (self.exactRegions, self.probeRegions) = (exactRegions, probeRegions)
            (self.localComplexity, self.loss, self.accuracy) = (localComplexity, loss, accuracy)
        }
    }

    /// Region counts (exact solid, probes dashed), local complexity, loss and accuracy against epoch, for each
    /// network, in a 2 × 2 grid that stays legible at a paper's column width.
    public static func overTraining(_ nets: [Curves], complexityCaption: String, regionsCaption: String) -> Figure {
        let figure = Figure(width: 10, height: 7.2)
        let regions = figure.addAxes(rows: 2, columns: 2, index: 1)
        let complexity = figure.addAxes(rows: 2, columns: 2, index: 2)
        let loss = figure.addAxes(rows: 2, columns: 2, index: 3)
        let accuracy = figure.addAxes(rows: 2, columns: 2, index: 4)
        figure.subplotWidthSpace = 0.3
        figure.subplotHeightSpace = 0.4
        for (k, net) in nets.enumerated() {
            let color = k == 0 ? Color.netA : k == 1 ? Color.netB : Color.tab10[k % Color.tab10.count]
            if let exact = net.exactRegions {
                regions.plot(net.epochs, exact, color: color, marker: .circle, label: "\(net.label), exact")
            }
            regions.plot(net.epochs, net.probeRegions, color: color, width: 1.2, marker: .point, dashed: true,
                         label: "\(net.label), probes")
            complexity.plot(net.epochs, net.localComplexity, color: color, marker: .circle, label: net.label)
            let positive = net.loss.indices.filter { net.loss[$0] > 0 && net.loss[$0].isFinite }
            loss.plot(positive.map { net.epochs[$0] }, positive.map { net.loss[$0] }, color: color, marker: .circle,
                      label: net.label)
            accuracy.plot(net.epochs, net.accuracy, color: color, marker: .circle, label: net.label)
        }
        regions.title = regionsCaption
        regions.yLabel = "linear regions"
        regions.legendLocation = .best
        complexity.title = complexityCaption
        complexity.yLabel = "mean local complexity"
        complexity.legendLocation = .best
        loss.title = "training loss"
        loss.yLabel = "loss"
        loss.yScale = .log
        loss.legendLocation = .best
        accuracy.title = "training accuracy"
        accuracy.yLabel = "accuracy"
        accuracy.legendLocation = .best
        for axes in [regions, complexity, loss, accuracy] { axes.xLabel = "epoch" }
        // In a single column: short titles over two lines, one legend (the nets) where the accuracy leaves room,
        // the line styles of the region counts said in their title.
        figure.narrowLayout = { _ in
            regions.title = nets.contains { $0.exactRegions != nil } ? "linear regions\n(exact —, probes - -)"
                : "linear regions\n(probes)"
            let lastPart = complexityCaption.split(separator: ", ", omittingEmptySubsequences: false).last ?? ""
            complexity.title = "local complexity\n" + String(lastPart)
            loss.title = "training loss"
            accuracy.title = "training accuracy"
            for axes in [regions, complexity] { axes.xLabel = nil }
            for axes in [regions, complexity, loss] { axes.legendLocation = nil }
            accuracy.legendLocation = .lowerRight
        }
        return figure
    }
}
