import FoundationEssentials
import Support

extension Axes {
    /// `ax.imshow(values)` with the values written in the cells: row 0 at the top, one square per entry,
    /// coloured by `colormap` over `range` (the values' own range when nil), labelled rows and columns.
    ///
    /// - Parameters:
    ///   - format: a C `printf` pattern for one `Double` (`String(cFormat:)`), for the cell text, or nil for none.
    ///   - rowLabels, columnLabels: tick labels (default: the indices).
    public func heatmap(_ values: [[Double]], colormap: Colormap = .viridis, range: ClosedRange<Double>? = nil,
                        format: String? = "%.2f", textSize: Double = 10,
                        rowLabels: [String]? = nil, columnLabels: [String]? = nil) {
        let rows = values.count, columns = values.first?.count ?? 0
        precondition(rows > 0 && columns > 0 && values.allSatisfy { $0.count == columns }, "a heat map needs a non-empty rectangular table")
        let finite = values.joined().filter(\.isFinite)
        let span = range ?? ((finite.min() ?? 0)...(finite.max() ?? 1))
        var squares: [[(Double, Double)]] = [], colors: [Color] = []
        let widest = format.flatMap { f in values.joined().map { cellText(f, $0) }.max { $0.count < $1.count } }
        // Where the numbers would be under 6 pt, one decimal ("%.3f" → "%.1f") before none at all.
        let shortFormat = format.flatMap { f -> String? in
            guard let match = f.firstMatch(of: /%\.([2-9])f/) else { return nil }
            var short = f
            short.replaceSubrange(match.range, with: "%.1f")
            return short
        }
        let shortWidest = shortFormat.flatMap { f in values.joined().map { cellText(f, $0) }.max { $0.count < $1.count } }
        for i in 0..<rows {
            let y = Double(rows - 1 - i)
            for j in 0..<columns {
                let x = Double(j)
                squares.append([(x - 0.5, y - 0.5), (x + 0.5, y - 0.5), (x + 0.5, y + 0.5), (x - 0.5, y + 0.5)])
                let color = colormap.color(values[i][j], in: span)
                colors.append(color)
                if let format {
                    let ink: Color = Colormap.prefersWhiteText(on: color) ? .white : .black
                    // Smaller in small cells, and left out below 6 pt, rather than run into the next cell.
                    var text = TextArtist(x: x, y: y, text: cellText(format, values[i][j]), size: textSize, rotation: 0,
                                          horizontal: .center, vertical: .center, color: ink, fitBox: (1, 1),
                                          fitSample: widest)
                    text.shorter = shortFormat.map { (cellText($0, values[i][j]), shortWidest) }
                    add(text)
                }
            }
        }
        polygons(squares, colors: colors, disjoint: true)
        // Square cells, as imshow's: the axes shrink to the table's shape rather than stretch it.
        equalAspect = true
        xLimits = (-0.5, Double(columns) - 0.5)
        yLimits = (-0.5, Double(rows) - 0.5)
        xTickValues = (0..<columns).map(Double.init)
        xTickLabels = columnLabels ?? (0..<columns).map(String.init)
        yTickValues = (0..<rows).map { Double(rows - 1 - $0) }
        yTickLabels = rowLabels ?? (0..<rows).map(String.init)
    }
}

/// A heat map cell's number: `format` applied, with a real minus sign; a value that rounds to zero is "0" (not
/// "0.000", "−0.000" or "0e+00", which say nothing a zero does not and take a cell's width).
func cellText(_ format: String, _ value: Double) -> String {
    if value == 0, format.contains("e") { return "0" }
    let text = String(cFormat: format, value)
    if !format.contains("e"), !text.contains(where: { ("1"..."9").contains($0) }) { return "0" }
    return text.replacing("-", with: "\u{2212}")
}
