import FoundationEssentials
import NeuralNet
import Plot
import RegionAnalysis

/// The figures of `regionplot slice`: the slice itself, and how many regions probes find against the grid.
public enum SliceFigures {
    /// The class colours: matplotlib's tab10, repeated beyond ten classes.
    static func classColor(_ k: Int) -> Color { Color.tab10[k % Color.tab10.count] }

    /// A light tone of a class colour, for cell fills: 35 % of the colour over white.
    static func lightColor(_ k: Int) -> Color {
        let c = classColor(k)
        return Color(1 + (c.red - 1) * 0.35, 1 + (c.green - 1) * 0.35, 1 + (c.blue - 1) * 0.35)
    }

    /// The slice: cells in light tones of their predicted class (decision pieces filled separately), thin cell
    /// boundaries, bold decision boundaries, the three points marked and labelled, a class legend outside the
    /// square, and for image inputs the three images beside the plot.
    public static func slice(_ result: SliceResult, names: Names = Names()) -> Figure {
        let images = result.network.inputShape.count == 3 && result.points.count == 3
        let figure = Figure(width: images ? SliceFigures.imageLayout.width : 8.4,
                            height: images ? SliceFigures.imageLayout.height : 6.6)
        addPanels(result, to: figure, images: images, narrow: false, names: names)
        // Narrower than its own width, the fixed layout with images is rebuilt in inches (text keeps its size).
        if images { figure.narrowLayoutWidth = SliceFigures.imageLayout.width }
        // In a paper's single column: the images in a row over the plane, the legend below it, the figure as tall
        // as that needs (when its height is free); too short a figure leaves the images out.
        figure.narrowLayout = { figure in
            figure.removeAllPanels()
            if figure.width >= Figure.narrowWidth {
                let entries = result.partition.classAreas.filter { $0 > 0 }.count + 1
                let longest = max("decision boundary".count,
                                  result.partition.classAreas.indices.map { names.className($0).count }.max() ?? 0)
                let layout = imageLayout(width: figure.width, height: figure.heightFollowsContent ? nil : figure.height,
                                         legendEntries: entries, longestLabel: longest)
                figure.height = layout.height
                addPanels(result, to: figure, images: true, narrow: false, names: names, layout: layout)
                return
            }
            let withImages = images && (figure.heightFollowsContent || figure.height >= 1.3 * figure.width)
            figure.subplotRightEdge = Figure.subplotRight
            if withImages && figure.heightFollowsContent {
                // Placed in inches, as tall as its parts: in a grid the square's three rows would keep the height
                // the images' titles and the plane's title ask of one row, and leave it blank above the square.
                let row = rowLayout(result, width: figure.width, fontScale: figure.style.fontSize / 10, names: names)
                figure.height = row.height
                addPanels(result, to: figure, images: true, narrow: true, names: names, row: row)
                return
            }
            if figure.heightFollowsContent { figure.height = figure.width * (withImages ? 1.6 : 1.3) }
            addPanels(result, to: figure, images: withImages, narrow: true, names: names)
        }
        return figure
    }

    /// The slice's panels: the plane, its legend and (`images`) the three images, beside the plane or (`narrow`)
    /// in a row above it.
    static func addPanels(_ result: SliceResult, to figure: Figure, images: Bool, narrow: Bool, names: Names,
                          layout l: ImageLayout = imageLayout, row: RowLayout? = nil) {
        let axes: Axes
        if let row {
            axes = figure.addAxes(left: row.left / row.width, bottom: row.bottom / row.height,
                                  width: row.square / row.width, height: row.square / row.height)
        } else if narrow {
            axes = images ? figure.addAxes(rows: 4, columns: 3, index: 4, rowSpan: 3, columnSpan: 3) : figure.addAxes()
        } else if images {
            // The square, its class legend right beside it, the three images in a column right of the legend:
            // fixed places, because a uniform grid leaves a gap between the legend and the images.
            axes = figure.addAxes(left: l.left / l.width, bottom: l.margin / l.height, width: l.square / l.width,
                                  height: l.square / l.height)
        } else {
            figure.subplotRightEdge = 0.74
            axes = figure.addAxes()
        }
        let partition = result.partition
        let (fills, colors, outlines) = fillsAndOutlines(partition)
        axes.polygons(fills, colors: colors, disjoint: true)
        // Thinner, fainter outlines when cells are many, so that small cells keep their colour.
        let many = partition.count > 5000
        axes.polygons(outlines, colors: nil,
                      edgeColor: Color(0.25, 0.25, 0.25, alpha: many ? 0.45 : 0.6), edgeWidth: many ? 0.12 : 0.3)
        // The classes present, as legend entries (markers of no points), then the decision boundary.
        let areas = partition.classAreas
        for k in areas.indices where areas[k] > 0 {
            axes.scatter([], [], color: classColor(k), size: 64, label: names.className(k))
        }
        // A small plane keeps its legend short (more entries a row, a taller plane): the title names the bold lines.
        let shortLegend = narrow && !images
        axes.segments(decisionBoundaries(partition), color: .black, width: 1.6,
                      label: shortLegend ? nil : "decision boundary")
        // The points, labelled by row (and label).
        let p = result.plane.points2D
        if !p.isEmpty {
            axes.scatter(p.map(\.x), p.map(\.y), color: .black, size: 45)
            let h = result.plane.halfWidth
            for (i, point) in p.enumerated() where abs(point.x) <= h && abs(point.y) <= h {
                // Towards the square's centre from the point, so that the label stays inside the square.
                let (right, up) = (point.x <= 0, point.y <= 0)
                // Where that would hide a point, a decision boundary or another label: another corner, or farther.
                let corners = [(right, !up), (!right, up), (!right, !up), (right, up)].flatMap { r, u in
                    (shortLegend ? [0.03, 0.1, 0.2, 0.35] : [0.03, 0.1]).map { d in
                        TextArtist.Placement(x: point.x + (r ? d : -d) * h, y: point.y + (u ? d : -d) * h,
                                             horizontal: r ? .left : .right, vertical: u ? .bottom : .top)
                    }
                }
                let aboveOrBelow = [0.05, 0.15, 0.3].flatMap { d in
                    [TextArtist.Placement(x: point.x, y: point.y + d * h, horizontal: .center, vertical: .bottom),
                     TextArtist.Placement(x: point.x, y: point.y - d * h, horizontal: .center, vertical: .top)]
                }
                let alternatives = corners + aboveOrBelow
                // Small planes take short labels ("#12 (3)"), which find a free place where long ones cannot.
                axes.text(point.x + (right ? 0.03 : -0.03) * h, point.y + (up ? 0.03 : -0.03) * h,
                          pointName(result, i, names: names, short: narrow && !images), size: 10,
                          horizontal: right ? .left : .right, vertical: up ? .bottom : .top,
                          box: (fill: Color.white.withAlpha(0.85), edge: Color(0.3, 0.3, 0.3)),
                          alternatives: alternatives,
                          // Where the labels crowd the plane: a lettered mark on the point, the label in the legend.
                          // Not beside images: their plane is large, and their layout has no room for a key.
                          key: images ? nil : TextArtist.Key(mark: String(UnicodeScalar(UInt8(65 + i % 26))),
                                                             x: point.x, y: point.y))
            }
        }
        let h = result.plane.halfWidth
        axes.xLimits = (-h, h)
        axes.yLimits = (-h, h)
        axes.xLabel = "$u$"
        axes.yLabel = "$v$"
        // The plane keeps its shape at every figure size: regions' angles and areas mean something.
        axes.equalAspect = true
        axes.title = planeTitle(result, names: names, shortLegend: shortLegend)
        axes.legendLocation = l.legendBelow || row != nil ? .outsideBelow : .outsideRight
        if images { addThumbnails(result, to: figure, inARow: narrow, names: names, layout: l, row: row) }
    }

    /// The plane's title: the model, its regions and decision pieces (`shortLegend`: the bold lines named here).
    static func planeTitle(_ result: SliceResult, names: Names, shortLegend: Bool) -> String {
        let partition = result.partition
        let stem = URL(fileURLWithPath: result.settings.modelPath).lastPathComponent
        var title = names.title
            ?? "\(stem): \(partition.count) linear regions, cut into \(partition.decisionCount) by the decision boundary"
                + (shortLegend ? " (bold)" : "")
        if let omitted = result.network.omittedOutputActivation { title += "\nthe logits before its final \(omitted)" }
        return title
    }

    /// The narrow slice with images, in inches: the three images in a row at the top, the square below them,
    /// the legend below the square; `left` and `bottom` are the square's, `imageTop` the top of the images.
    struct RowLayout {
        var width, height, left, bottom, square, image, imageGap, imageBottom: Double
    }

    /// The narrow layout with images for a figure `width` inches wide, with text `fontScale` times the notebook's:
    /// each part as tall as its text needs (the images' and the plane's titles wrapped at their widths, estimated
    /// at 0.6 em a character; the legend's rows as `Legend` lays them out below the axes).
    static func rowLayout(_ result: SliceResult, width: Double, fontScale s: Double, names: Names) -> RowLayout {
        let inch = 72.0, pad = 0.06
        let titleLine = 1.2 * 12 * s / inch, titleGap = 6 / inch
        func lines(_ text: String, size: Double, width: Double) -> Double {
            text.split(separator: "\n").reduce(0) { sum, paragraph in
                sum + max(1, (Double(paragraph.count) * 0.6 * size * s / inch / width).rounded(.up))
            }
        }
        // Tick labels ("−1.0"), the ticks and the v label left of the square; half a tick label right of it.
        let left = (15 + 36 * s) / inch, right = 0.15
        let square = width - left - right
        let imageGap = 0.3
        let image = min(imageLayout.image, (square - 2 * imageGap) / 3)
        let imageTitles = (0..<result.points.count).map { lines(pointName(result, $0, names: names), size: 12,
                                                                 width: image * 1.2) }.max() ?? 1
        let planeTitle = lines(planeTitle(result, names: names, shortLegend: false), size: 12,
                               width: min(square * 1.2, width - 0.1))
        // Ticks, tick labels and the u label under the square, then the legend.
        let underSquare = (11 + 22 * s) / inch
        let entries = result.partition.classAreas.filter { $0 > 0 }.count + 1
        let longest = max("decision boundary".count,
                          result.partition.classAreas.indices.map { names.className($0).count }.max() ?? 0)
        let em = 10 * s / inch
        // Legend labels are mostly lower case: half an em a character.
        let entryWidth = (Double(longest) * 0.5 + 2.8) * em
        let columns = max(1, min(entries, Int((width - 1.8 * em + 2 * em) / (entryWidth + 2 * em))))
        let rows = Double((entries + columns - 1) / columns)
        let legend = 0.5 * em + 0.8 * em + rows * em * 1.2 + (rows - 1) * 0.5 * em
        let bottom = pad + legend + underSquare
        let imageBottom = bottom + square + titleGap + planeTitle * titleLine + 0.1
        let height = imageBottom + image + titleGap + imageTitles * titleLine + pad
        return RowLayout(width: width, height: height, left: left, bottom: bottom, square: square, image: image,
                         imageGap: imageGap, imageBottom: imageBottom)
    }

    /// The decision pieces as fills in light tones of their class, and the cells as outlines. A cell that is one
    /// decision piece (nearly all of them) lends its outline's array to its fill, so the two artists share one
    /// copy of its polygon: the drawing data of a million cells is then about one polygon a cell, not two.
    static func fillsAndOutlines(_ partition: SlicePartition)
        -> (fills: [[(Double, Double)]], colors: [Color], outlines: [[(Double, Double)]]) {
        var fills: [[(Double, Double)]] = [], colors: [Color] = [], outlines: [[(Double, Double)]] = []
        fills.reserveCapacity(partition.count)
        colors.reserveCapacity(partition.count)
        outlines.reserveCapacity(partition.count)
        let light = (0..<partition.classCount).map(lightColor)
        for cell in partition.cells {
            let outline = cell.vertices.map { ($0.x, $0.y) }
            outlines.append(outline)
            for piece in cell.decision {
                let same = piece.vertices.count == cell.vertices.count
                    && zip(piece.vertices, cell.vertices).allSatisfy { $0.x == $1.x && $0.y == $1.y }
                fills.append(same ? outline : piece.vertices.map { ($0.x, $0.y) })
                colors.append(light[piece.predictedClass])
            }
        }
        return (fills, colors, outlines)
    }

    /// "#row (label k)" for point `i`; `short`: "#row (k)".
    static func pointName(_ result: SliceResult, _ i: Int, names: Names = Names(), short: Bool = false) -> String {
        let row = result.settings.rows[i]
        guard let labels = result.labels else { return "#\(row)" }
        return names.classes == nil && !short ? "#\(row) (label \(labels[i]))"
            : "#\(row) (\(short ? names.classLabel(labels[i]) : names.className(labels[i])))"
    }

    /// The edges of decision pieces that lie where two classes' outputs are equal (for one output, where it is
    /// zero): each drawn once, from the piece of the lower class.
    static func decisionBoundaries(_ partition: SlicePartition) -> [((Double, Double), (Double, Double))] {
        let h = partition.plane.halfWidth
        var segments: [((Double, Double), (Double, Double))] = []
        for cell in partition.cells where cell.decision.count > 1 {
            let m = cell.outputMap
            let k = m.count / 3
            for piece in cell.decision {
                let i = piece.predictedClass
                // The functions whose zero line bounds the class: f_i − f_j for higher classes j, or f itself.
                var lines: [(Double, Double, Double)] = []
                if k == 1 {
                    if i == 0 { lines.append((m[0], m[1], m[2])) }
                } else {
                    for j in (i + 1)..<max(i + 1, k) {
                        lines.append((m[3 * i] - m[3 * j], m[3 * i + 1] - m[3 * j + 1], m[3 * i + 2] - m[3 * j + 2]))
                    }
                }
                let v = piece.vertices
                for (a, b, c) in lines {
                    let eps = 1e-9 * ((abs(a) + abs(b)) * h + abs(c))
                    for e in v.indices {
                        let p = v[e], q = v[(e + 1) % v.count]
                        if abs(a * p.x + b * p.y + c) <= eps && abs(a * q.x + b * q.y + c) <= eps {
                            segments.append(((p.x, p.y), (q.x, q.y)))
                        }
                    }
                }
            }
        }
        return segments
    }

    /// The slice figure with images, in inches: its size, the margins left of and below the square, the square's
    /// side, the images' left edge and side, and the gap between images (room for each one's title).
    /// The top keeps 0.7 in for a title of two lines; the left margin keeps the tick labels and v inside the figure
    /// at a double column's 6.75 in, where the layout shrinks and the text does not.
    static let imageLayout = ImageLayout(width: 9.4, height: 5.2, left: 0.9, margin: 0.6, square: 3.9,
                                         imagesLeft: 7.2, image: 1.1, imageGap: 0.3, legendBelow: false)

    /// Where the slice figure with images puts its parts, in inches (`legendBelow`: the class legend under the
    /// square rather than beside it).
    struct ImageLayout {
        var width, height, left, margin, square, imagesLeft, image, imageGap: Double
        var legendBelow: Bool
    }

    /// The layout with images for a figure `width` inches wide, narrower than ``imageLayout``'s (a double column):
    /// the margins, the images and the text keep their size in inches and the square takes what is left; the
    /// class legend (`legendEntries` entries, the longest `longestLabel` characters) goes below the square, where
    /// it takes the figure's width. The height follows, unless given (then the square fits it).
    static func imageLayout(width: Double, height: Double?, legendEntries: Int, longestLabel: Int) -> ImageLayout {
        let own = imageLayout
        let top = 0.75, ticksAndLabel = 0.55, gap = 0.45, rightPad = 0.25
        // Legend columns and rows as `Legend` lays them out below the axes (10 pt text: about 0.085 in a character,
        // the handle and its pad 0.4 in, 0.28 in between columns).
        let entryWidth = Double(longestLabel) * 0.085 + 0.4
        let columns = max(1, min(legendEntries, Int((width - 0.4 + 0.28) / (entryWidth + 0.28))))
        let rows = Double((legendEntries + columns - 1) / columns)
        let bottom = ticksAndLabel + 0.15 + rows * 0.27 + 0.1
        var square = width - own.left - gap - own.image - rightPad
        if let height { square = min(square, height - top - bottom) }
        let image = min(own.image, (square - 2 * own.imageGap) / 3)
        return ImageLayout(width: width, height: height ?? top + square + bottom, left: own.left, margin: bottom,
                           square: square, imagesLeft: width - rightPad - image, image: image,
                           imageGap: own.imageGap, legendBelow: true)
    }

    /// The three input images, one above the other in the right column, in grey (ink dark) or RGB.
    static func addThumbnails(_ result: SliceResult, to figure: Figure, inARow: Bool, names: Names = Names(),
                              layout l: ImageLayout = imageLayout, row: RowLayout? = nil) {
        let shape = result.network.inputShape
        let (channels, height, width) = (shape[0], shape[1], shape[2])
        for (i, point) in result.points.enumerated() {
            // Top-aligned with the square.
            let bottom = l.margin + l.square - l.image - Double(i) * (l.image + l.imageGap)
            let axes: Axes
            if let r = row {
                // Centred over the square.
                let x = r.left + (r.square - 3 * r.image - 2 * r.imageGap) / 2 + Double(i) * (r.image + r.imageGap)
                axes = figure.addAxes(left: x / r.width, bottom: r.imageBottom / r.height, width: r.image / r.width,
                                      height: r.image / r.height)
            } else if inARow {
                axes = figure.addAxes(rows: 4, columns: 3, index: i + 1)
            } else {
                axes = figure.addAxes(left: l.imagesLeft / l.width, bottom: bottom / l.height, width: l.image / l.width,
                                      height: l.image / l.height)
            }
            let lo = point.min() ?? 0, hi = point.max() ?? 1
            let span = hi > lo ? hi - lo : 1
            var squares: [[(Double, Double)]] = [], colors: [Color] = []
            for y in 0..<height {
                for x in 0..<width {
                    func t(_ c: Int) -> Double { (point[(c * height + y) * width + x] - lo) / span }
                    let color: Color
                    if channels == 3 {
                        color = Color(t(0), t(1), t(2))
                    } else {
                        let mean = (0..<channels).reduce(0) { $0 + t($1) } / Double(channels)
                        color = Color(1 - mean, 1 - mean, 1 - mean)
                    }
                    let top = Double(height - y)
                    let (left, right) = (Double(x), Double(x + 1))
                    squares.append([(left, top - 1), (right, top - 1), (right, top), (left, top)])
                    colors.append(color)
                }
            }
            axes.polygons(squares, colors: colors, disjoint: true)
            axes.xLimits = (0, Double(width))
            axes.yLimits = (0, Double(height))
            axes.equalAspect = true
            axes.xTickValues = []
            axes.yTickValues = []
            axes.title = pointName(result, i, names: names)
        }
    }

    /// Regions and activation patterns the probes find against the grid, with the exact count as a dashed line.
    public static func probeVersusExact(_ result: SliceResult) -> Figure {
        let figure = Figure(width: 7, height: 5)
        let axes = figure.addAxes()
        axes.xScale = .log
        let grids = result.curve.map { Double($0.grid) }
        axes.xTickValues = grids
        // Patterns first, wide and faint, so that the maps' line stays visible where the two counts agree. Black
        // and greys: blue and orange mean nets a and b in `digits`, which draws this figure for each net.
        axes.plot(grids, result.curve.map { Double($0.activationPatterns) }, color: Color(0.6, 0.6, 0.6), width: 4,
                  alpha: 0.6, label: "probes: activation patterns")
        axes.plot(grids, result.curve.map { Double($0.probeRegions) }, color: .black, marker: .circle,
                  label: "probes: distinct affine maps")
        let exact = Double(result.partition.count)
        axes.plot([grids.first!, grids.last!], [exact, exact], color: Color(0.4, 0.4, 0.4), width: 1.2, dashed: true,
                  label: "exact (\(result.partition.count))")
        axes.xLabel = "probe grid points per axis"
        axes.yLabel = "linear regions"
        axes.title = "How many regions of the slice the grid probes find"
        axes.legendLocation = .best
        return figure
    }

    /// Every figure of the command, by file stem.
    public static func all(_ result: SliceResult, names: Names = Names()) -> [FigureRecipe] {
        [FigureRecipe("slice") { slice(result, names: names) },
         FigureRecipe("probe-vs-exact") { probeVersusExact(result) }]
    }
}
