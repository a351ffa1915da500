/// A figure: a size, a resolution, an optional suptitle and a grid of 2-D and 3-D axes.
///
/// Like matplotlib's `Figure`, it knows nothing of the output: `draw(on:)` lays it out for a `Renderer`.
public final class Figure {
    /// Size in inches.
    public let width: Double, height: Double
    /// Pixels per inch; fonts and line widths given in points scale with it.
    public var dpi: Double
    /// Title over all subplots (matplotlib's `suptitle`).
    public var suptitle: String?
    /// The right edge of the subplot grid as a fraction of the width (`plt.subplots_adjust(right=...)`), to
    /// leave room for a legend outside the axes.
    public var subplotRightEdge = Figure.subplotRight
    /// The panels, in the order they were added.
    public private(set) var panels: [Panel] = []

    /// A panel of the figure.
    public enum Panel {
        case axes(Axes)
        case axes3D(Axes3D)
    }

    /// matplotlib's subplot parameters (fractions of the figure).
    public static let subplotLeft = 0.125, subplotRight = 0.9, subplotBottom = 0.11, subplotTop = 0.88
    public static let wspace = 0.2, hspace = 0.2

    /// A figure of `width × height` inches at `dpi` (matplotlib's default is 6.4 × 4.8 at 100).
    public init(width: Double = 6.4, height: Double = 4.8, dpi: Double = 100) {
        self.width = width
        self.height = height
        self.dpi = dpi
    }

    /// Size in pixels.
    public var pixelWidth: Int { Int((width * dpi).rounded()) }
    public var pixelHeight: Int { Int((height * dpi).rounded()) }

    /// Adds 2-D axes in cell `index` (1-based, row-major) of a `rows × columns` grid, like `add_subplot(rows, columns, index)`.
    @discardableResult
    public func addAxes(rows: Int = 1, columns: Int = 1, index: Int = 1) -> Axes {
        let axes = Axes(cell: SubplotCell(rows: rows, columns: columns, index: index))
        panels.append(.axes(axes))
        return axes
    }

    /// Adds 3-D axes in a grid cell, like `add_subplot(rows, columns, index, projection='3d')`.
    @discardableResult
    public func addAxes3D(rows: Int = 1, columns: Int = 1, index: Int = 1) -> Axes3D {
        let axes = Axes3D(cell: SubplotCell(rows: rows, columns: columns, index: index))
        panels.append(.axes3D(axes))
        return axes
    }

    /// Points → pixels.
    public var pointsToPixels: Double { dpi / 72 }

    /// Draws the whole figure.
    public func draw(on renderer: Renderer) {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        renderer.draw(Path.rectangle(Rect(x: 0, y: 0, width: w, height: h)), style: PathStyle(fill: .white))
        for panel in panels {
            switch panel {
            case .axes(let a): a.draw(on: renderer, figure: self)
            case .axes3D(let a): a.draw(on: renderer, figure: self)
            }
        }
        if let suptitle {
            // matplotlib: 'large' (12 pt) at y = 0.98, centred, top-aligned.
            renderer.drawText(MathText.runs(suptitle), size: 12 * pointsToPixels, color: .black,
                              anchor: Point(w / 2, 0.02 * h), horizontal: .center, vertical: .top)
        }
    }

    /// The pixel rectangle of a subplot cell.
    func rect(of cell: SubplotCell) -> Rect {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        let totalWidth = (subplotRightEdge - Figure.subplotLeft) * w
        let totalHeight = (Figure.subplotTop - Figure.subplotBottom) * h
        let cellWidth = totalWidth / (Double(cell.columns) + Figure.wspace * Double(cell.columns - 1))
        let cellHeight = totalHeight / (Double(cell.rows) + Figure.hspace * Double(cell.rows - 1))
        let row = (cell.index - 1) / cell.columns, column = (cell.index - 1) % cell.columns
        let x = Figure.subplotLeft * w + Double(column) * cellWidth * (1 + Figure.wspace)
        let y = (1 - Figure.subplotTop) * h + Double(row) * cellHeight * (1 + Figure.hspace)
        return Rect(x: x, y: y, width: cellWidth, height: cellHeight)
    }
}

/// A cell of a subplot grid.
public struct SubplotCell: Sendable {
    public var rows: Int, columns: Int, index: Int
    public init(rows: Int, columns: Int, index: Int) {
        precondition(rows >= 1 && columns >= 1 && index >= 1 && index <= rows * columns, "invalid subplot cell")
        self.rows = rows; self.columns = columns; self.index = index
    }
}

/// A named figure, built when it is drawn. A `Figure` is a tree of mutable axes that one thread builds and draws;
/// handing out recipes instead lets a writer build and draw many figures on several threads at once.
public struct FigureRecipe: Sendable {
    /// The file name, without extension.
    public var name: String
    /// Builds the figure; nil when there is nothing to draw (say, no exact partition was computed).
    public var make: @Sendable () -> Figure?

    public init(_ name: String, _ make: @escaping @Sendable () -> Figure?) {
        self.name = name
        self.make = make
    }
}
