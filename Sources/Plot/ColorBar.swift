/// A colour key beside 2-D axes, matplotlib's `fig.colorbar(mappable, ax=ax)`: the axes give up 15 % of their
/// width, the bar stands 5 % to their right, as tall as they are and a twentieth as wide, with ticks and a label
/// on its right.
public struct ColorBar {
    /// The colour of each value of `range`.
    public var color: (Double) -> Color
    /// The values the bar spans, bottom to top.
    public var range: ClosedRange<Double>
    /// The label along the bar, if any.
    public var label: String?

    public init(range: ClosedRange<Double>, label: String? = nil, color: @escaping (Double) -> Color) {
        self.color = color
        self.range = range
        self.label = label
    }

    /// A bar for a colour map spanning `range`.
    public init(colormap: Colormap, range: ClosedRange<Double>, label: String? = nil) {
        self.init(range: range, label: label) { colormap.color($0, in: range) }
    }

    /// The share of the axes' cell the bar and its gap take.
    static let fraction = 0.15, pad = 0.05
    /// The share of the subplot grid's width a figure's colour bar, its gap and its labels take.
    static let figureFraction = 0.12

    /// The bar's rectangle beside axes drawn in `box`, in a cell `cellWidth` wide.
    func rect(besides box: Rect, cellWidth: Double) -> Rect {
        let width = min(box.height / 20, 0.1 * cellWidth)
        return Rect(x: box.maxX + ColorBar.pad * cellWidth, y: box.y, width: width, height: box.height)
    }

    /// Draws the bar: stacked bands of colour, an outline, ticks and labels; returns the right edge of its ink.
    func draw(on renderer: Renderer, in bar: Rect, pointsToPixels pt: Double) -> Double {
        let bands = 128
        let span = range.upperBound - range.lowerBound
        for k in 0..<bands {
            let y0 = bar.maxY - Double(k) * bar.height / Double(bands)
            let y1 = bar.maxY - Double(k + 1) * bar.height / Double(bands)
            let value = range.lowerBound + (Double(k) + 0.5) / Double(bands) * span
            let c = color(value)
            // Each band overlaps the next by a pixel's fraction so that no hairline seam shows between them.
            renderer.draw(Path.rectangle(Rect(x: bar.x, y: y1 - 0.3, width: bar.width, height: y0 - y1 + 0.6)),
                          style: PathStyle(fill: c))
        }
        renderer.draw(Path.rectangle(bar), style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
        let fontSize = 10 * pt
        let bins = max(2, min(9, Int(bar.height / pt / 30)))
        let ticks = niceTicks(from: range.lowerBound, to: range.upperBound, maxBins: bins)
        var right = bar.maxX + 3.5 * pt
        for (value, text) in zip(ticks, tickLabels(ticks)) {
            let y = bar.maxY - (value - range.lowerBound) / (span > 0 ? span : 1) * bar.height
            renderer.draw(Path([Point(bar.maxX, y), Point(bar.maxX + 3.5 * pt, y)]),
                          style: PathStyle(stroke: .black, lineWidth: 0.8 * pt))
            let corners = renderer.drawText([TextRun(text)], size: fontSize, color: .black,
                                            anchor: Point(bar.maxX + 7 * pt, y), horizontal: .left, vertical: .center)
            right = max(right, corners.map(\.x).max() ?? right)
        }
        if let label {
            let corners = renderer.drawText(MathText.runs(label), size: fontSize, color: .black,
                                            anchor: Point(right + 4 * pt, bar.center.y), rotation: 90,
                                            horizontal: .center, vertical: .top)
            right = max(right, corners.map(\.x).max() ?? right)
        }
        return right
    }
}
