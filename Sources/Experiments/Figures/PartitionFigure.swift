import Plot
import RegionAnalysis

/// Figures that several experiments draw.
public enum PartitionFigure {
    /// The partition figure of any network's exact partition, over its domain.
    public static func make(_ partition: ExactPartition, title: String, showXORPoints: Bool) -> Figure {
        // Wider than tall: the colour bar takes a share of the width, and the square domain should look square.
        let figure = Figure(width: 7.6, height: 7)
        let axes = figure.addAxes()
        func output(_ cell: ExactCell, _ p: Point2) -> Double { cell.gradient.x * p.x + cell.gradient.y * p.y + cell.offset }
        let scale = max(1e-12, partition.cells.flatMap { cell in cell.vertices.map { abs(output(cell, $0)) } }.max() ?? 1)
        // Each cell is filled in two parts, either side of f = 0, each coloured by the output at its own centroid,
        // so that the colour always has the sign of the output; the outlines are the cells'.
        var fills: [[(Double, Double)]] = [], colors: [Color] = []
        for cell in partition.cells {
            let sides = cell.decisionSides
            for side in [sides.positive, sides.negative] where side.count >= 3 {
                fills.append(side.map { ($0.x, $0.y) })
                colors.append(XORFigures.divergingColor(output(cell, XORFigures.polygonCentre(side)) / scale))
            }
        }
        // Thousands of fills and outlines go into SVG and PDF as one image (`Figure.rasterization`).
        axes.polygons(fills, colors: colors, disjoint: true)
        // Thinner outlines when cells are many, so that small cells keep their colour.
        let edgeWidth = partition.count > 2000 ? 0.15 : 0.35
        axes.polygons(partition.cells.map { $0.vertices.map { ($0.x, $0.y) } }, colors: nil,
                      edgeColor: Color(0.2, 0.2, 0.2, alpha: 0.75), edgeWidth: edgeWidth)
        let zeros = decisionBoundary(partition).map { (($0.0.x, $0.0.y), ($0.1.x, $0.1.y)) }
        axes.segments(zeros, color: .black, width: 1.5, label: "f = 0")
        if showXORPoints { XORFigures.addXORPoints(axes) }
        let d = partition.domain
        let (padX, padY) = (0.025 * (d.xMax - d.xMin), 0.025 * (d.yMax - d.yMin))
        axes.xLimits = (d.xMin - padX, d.xMax + padX)
        axes.yLimits = (d.yMin - padY, d.yMax + padY)
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        // The input plane keeps its shape at every figure size: regions' angles and areas mean something.
        axes.equalAspect = true
        axes.title = title
        // Filled cells leave no free place inside; below the axes the legend takes one row, not the width.
        axes.legendLocation = .outsideBelow
        // The key of the colours: the output at a region's centroid, on the same symmetric scale.
        axes.colorBar = ColorBar(range: -scale...scale, label: "network output $f$") {
            XORFigures.divergingColor($0 / scale)
        }
        return figure
    }

    /// The decision boundary f = 0 of a one-output network's partition, as segments: on each cell f is affine, so
    /// its zero set there is the segment where g·x + c = 0 crosses the polygon.
    public static func decisionBoundary(_ partition: ExactPartition) -> [(Point2, Point2)] {
        decisionBoundary(partition, vertices: partition.cells.map(\.vertices))
    }

    /// `decisionBoundary(_:)` with the cells' vertices already read (`vertices[k]`: cell k's).
    static func decisionBoundary(_ partition: ExactPartition, vertices: [[Point2]]) -> [(Point2, Point2)] {
        var zeros: [(Point2, Point2)] = []
        for (cell, v) in zip(partition.cells, vertices) where !v.isEmpty {
            func value(_ p: Point2) -> Double { cell.gradient.x * p.x + cell.gradient.y * p.y + cell.offset }
            // The polygon is convex: the zero line crosses it at two edges or at none.
            var crossings: (Point2?, Point2?, extra: Bool) = (nil, nil, false)
            var (here, hereValue) = (v[0], value(v[0]))
            for j in 1...v.count {
                let next = v[j % v.count], nextValue = value(next)
                if (hereValue > 0) != (nextValue > 0) {
                    let t = hereValue / (hereValue - nextValue)
                    let crossing = Point2(here.x + t * (next.x - here.x), here.y + t * (next.y - here.y))
                    if crossings.0 == nil { crossings.0 = crossing } else if crossings.1 == nil {
                        crossings.1 = crossing
                    } else { crossings.extra = true }
                }
                (here, hereValue) = (next, nextValue)
            }
            if let a = crossings.0, let b = crossings.1, !crossings.extra { zeros.append((a, b)) }
        }
        return zeros
    }
}
