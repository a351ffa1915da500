import FoundationEssentials
/// A figure: a size, a resolution, an optional suptitle and a grid of 2-D and 3-D axes.
///
/// Like matplotlib's `Figure`, it knows nothing of the output: `draw(on:)` lays it out for a `Renderer`.
public final class Figure {
    /// Size in inches.
    public var width: Double, height: Double
    /// Pixels per inch; fonts and line widths given in points scale with it.
    public var dpi: Double
    /// Title over all subplots (matplotlib's `suptitle`).
    public var suptitle: String?
    /// The right edge of the subplot grid as a fraction of the width (`plt.subplots_adjust(right=...)`), to
    /// leave room for a legend outside the axes.
    public var subplotRightEdge = Figure.subplotRight
    /// The other edges of the subplot grid, as fractions of the figure (matplotlib's `subplots_adjust`).
    public var subplotLeftEdge = Figure.subplotLeft, subplotBottomEdge = Figure.subplotBottom
    public var subplotTopEdge = Figure.subplotTop
    /// The gaps between subplots as fractions of a subplot's width and height (matplotlib's wspace, hspace).
    public var subplotWidthSpace = Figure.wspace, subplotHeightSpace = Figure.hspace
    /// How the figure is drawn: text size, line scale, spines, layout, palette.
    public var style = Style.notebook
    /// One colour key for all panels, right of the subplot grid and as tall as it (matplotlib's
    /// `fig.colorbar(im, ax=axes)`): for panels that share one colour scale. The grid gives up
    /// `ColorBar.figureFraction` of its width for it.
    public var colorBar: ColorBar?
    /// Which data collections go into SVG and PDF as one image (matplotlib's `rasterized=True`); PNG is the same.
    public var rasterization = Rasterization.auto
    /// Layout rules switched off, to show what each one does (`LayoutAuditTests` turns each off in turn and
    /// finds the figure it then breaks); empty for every figure a command draws.
    public var disabledLayoutRules: Set<LayoutRule> = []
    /// The panels, in the order they were added.
    public private(set) var panels: [Panel] = []
    /// How the figure rebuilds itself when drawn narrower than ``narrowWidth`` (a paper's single column), for
    /// layouts that proportional shrinking would make illegible (say, eleven small multiples): run once, just
    /// before the figure is laid out. nil keeps the layout.
    public var narrowLayout: ((Figure) -> Void)?
    /// The width (inches) below which ``narrowLayout`` runs: a paper's single column by default; a figure whose
    /// fixed layout cannot shrink (text keeps its size) sets its own width here, to rebuild at any narrower one.
    public var narrowLayoutWidth = Figure.narrowWidth
    /// Whether the height may follow what the figure shows (set by `fit(toColumnWidth:)`; a size the user gave
    /// is kept): a ``narrowLayout`` that stacks panels makes the figure taller rather than squash them.
    public private(set) var heightFollowsContent = false

    /// A panel of the figure.
    public enum Panel {
        case axes(Axes)
        case axes3D(Axes3D)
    }

    /// Figures narrower than this (inches) are a paper's single column: legends go below the axes rather than
    /// beside them, and `fit(toColumnWidth:)` stacks side-by-side panels.
    public static let narrowWidth = 4.5

    /// matplotlib's subplot parameters (fractions of the figure).
    public static let subplotLeft = 0.125, subplotRight = 0.9, subplotBottom = 0.11, subplotTop = 0.88
    public static let wspace = 0.2, hspace = 0.2

    /// A figure of `width × height` inches at `dpi` (matplotlib's default is 6.4 × 4.8 at 100).
    public init(width: Double = 6.4, height: Double = 4.8, dpi: Double = 100) {
        self.width = width
        self.height = height
        self.dpi = dpi
    }

    /// Whether a panel of the same grid occupies the cell to the right of `cell` (false at the row's end).
    func hasPanel(rightOf cell: SubplotCell) -> Bool {
        guard cell.lastColumn < cell.columns - 1 else { return false }
        return panels.contains { panel in
            let other: SubplotCell
            switch panel {
            case .axes(let a): other = a.cell
            case .axes3D(let a): other = a.cell
            }
            return other.rows == cell.rows && other.columns == cell.columns && other.column == cell.lastColumn + 1
                && other.row <= cell.lastRow && other.lastRow >= cell.row
        }
    }

    /// Size in pixels.
    public var pixelWidth: Int { Int((width * dpi).rounded()) }
    public var pixelHeight: Int { Int((height * dpi).rounded()) }

    /// Adds 2-D axes in cell `index` (1-based, row-major) of a `rows × columns` grid, like `add_subplot(rows, columns, index)`,
    /// spanning `rowSpan × columnSpan` cells from there.
    @discardableResult
    public func addAxes(rows: Int = 1, columns: Int = 1, index: Int = 1, rowSpan: Int = 1, columnSpan: Int = 1) -> Axes {
        let axes = Axes(cell: SubplotCell(rows: rows, columns: columns, index: index, rowSpan: rowSpan,
                                          columnSpan: columnSpan))
        panels.append(.axes(axes))
        return axes
    }

    /// Adds 2-D axes at a fixed place, (left, bottom, width, height) as fractions of the figure, like
    /// `fig.add_axes([left, bottom, width, height])`.
    @discardableResult
    public func addAxes(left: Double, bottom: Double, width: Double, height: Double) -> Axes {
        let axes = Axes(cell: SubplotCell(rows: 1, columns: 1, index: 1))
        axes.position = (left, bottom, width, height)
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

    /// Puts every legend of the figure at `location` (nil hides them all); axes without a legend keep none.
    public func moveLegends(to location: LegendLocation?) {
        for panel in panels {
            switch panel {
            case .axes(let a): if a.legendLocation != nil { a.legendLocation = location }
            case .axes3D(let a): if a.legendLocation != nil { a.legendLocation = location }
            }
        }
    }

    /// Fits the figure to a narrow column `width` inches wide (a paper's single column). Panels side by side in
    /// one row are stacked in one column, each keeping its shape, so that they keep the width of the column and
    /// their text its size; a 2 × 2 grid stays a grid, a little taller than wide, for its titles. Other layouts
    /// keep their proportions. matplotlib leaves this to the author (`plt.subplots(2, 1)` instead of `(1, 2)`).
    public func fit(toColumnWidth newWidth: Double) {
        let cells = panels.map { panel -> SubplotCell in
            switch panel {
            case .axes(let a): return a.cell
            case .axes3D(let a): return a.cell
            }
        }
        let grids = Set(cells.map { [$0.rows, $0.columns] })
        let narrow = newWidth < Figure.narrowWidth
        if narrow, grids == [[1, 2]], colorBar == nil {
            let panelAspect = (width / 2) / height
            for panel in panels {
                switch panel {
                case .axes(let a): a.cell = SubplotCell(rows: 2, columns: 1, index: a.cell.index)
                case .axes3D(let a): a.cell = SubplotCell(rows: 2, columns: 1, index: a.cell.index)
                }
            }
            height = 2 * newWidth / panelAspect * 0.9
        } else if narrow, grids == [[2, 2]] {
            height = newWidth * 1.12
        } else {
            height *= newWidth / width
        }
        width = newWidth
        heightFollowsContent = true
        // Now rather than when drawn: a writer sizes its canvas before it draws, and the layout may change the height.
        applyNarrowLayout()
    }

    /// Points → pixels.
    public var pointsToPixels: Double { dpi / 72 }

    /// Takes every panel away, for a ``narrowLayout`` that builds its own.
    public func removeAllPanels() { panels.removeAll() }

    /// Runs the narrow layout, once, if the figure is narrow.
    private func applyNarrowLayout() {
        if width < narrowLayoutWidth, let narrowLayout {
            self.narrowLayout = nil
            narrowLayout(self)
        }
    }

    /// Set by a fitted layout that could not give its text the room it asked for in height (the margins
    /// squeezed, or the rows' gaps capped).
    private var lacksHeight = false

    /// Lays the figure out before a writer sizes its canvas: the narrow layout of a narrow figure, and when the
    /// height may follow the content (`heightFollowsContent`), a taller figure, step by step, while the fitted
    /// layout lacks height or a panel is under `LayoutAudit.axesFloor` points tall: panels keep their size and
    /// their text its room, and the figure grows rather than squash them.
    ///
    /// A size the user gave (`--figsize`) grows too, in height only and only when its panels cannot keep their text
    /// at that size: a figure whose text runs into itself goes in no paper, and text under 6 pt is no way out.
    public func prepareLayout(measuringWith measurer: Renderer) {
        applyNarrowLayout()
        let start = (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge, subplotWidthSpace,
                     subplotHeightSpace)
        let givenHeight = height
        if !disabledLayoutRules.contains(.growInHeight) { growIfNeeded(measuringWith: measurer, start: start) }
        // A given size that needed nothing keeps the edges drawing starts from (drawing fits them again).
        if !heightFollowsContent && height == givenHeight {
            (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge, subplotWidthSpace,
             subplotHeightSpace) = start
        }
    }

    /// Whether the layout is always fitted to the labels: in a fitted style, in a figure fitted to a paper's column
    /// and in any figure narrower than a double column, where matplotlib's fixed margins cut labels off and let
    /// panels' titles run into each other.
    var fitsTightly: Bool {
        style.tightLayout || (!disabledLayoutRules.contains(.fitNarrowFigures)
                              && (heightFollowsContent || width < Figure.narrowWidth))
    }

    private func growIfNeeded(measuringWith measurer: Renderer,
                              start: (Double, Double, Double, Double, Double, Double)) {
        var previous: (height: Double, panels: Double)?
        for _ in 0..<6 {
            lacksHeight = false
            // Twice, as drawing fits again from where this leaves the edges: a legend that fits inside the first
            // time may leave for below the axes the second, and take their height.
            fitLayout(measuringWith: measurer, always: fitsTightly)
            fitLayout(measuringWith: measurer, always: fitsTightly)
            // Growth for short panels that gives them no more height (their width limits them) is undone, and ends
            // the search.
            let panelHeight = panels.reduce(0.0) { $0 + frame(of: $1).height }
            if !lacksHeight, let previous, panelHeight < previous.panels * 1.05 {
                height = previous.height
                (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge, subplotWidthSpace,
                 subplotHeightSpace) = start
                fitLayout(measuringWith: measurer, always: fitsTightly)
                break
            }
            previous = (height, panelHeight)
            // Only panels as tall as their cell grow with the figure (not equal-aspect ones their width limits).
            let shortest = panels.compactMap { panel -> Double? in
                if case .axes(let a) = panel, a.position != nil { return nil }
                let box = frame(of: panel)
                return box.height < rect(of: cell(of: panel)).height - 1 ? nil : box.height
            }.min() ?? .infinity
            guard lacksHeight || shortest < LayoutAudit.axesFloor * pointsToPixels else { break }
            height *= 1.2
            (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge, subplotWidthSpace,
             subplotHeightSpace) = start
        }
    }

    /// A panel's axes box and grid cell.
    private func frame(of panel: Panel) -> Rect {
        switch panel {
        case .axes(let a): return a.frame(in: self)
        case .axes3D(let a): return a.frame(in: self)
        }
    }

    private func cell(of panel: Panel) -> SubplotCell {
        switch panel {
        case .axes(let a): return a.cell
        case .axes3D(let a): return a.cell
        }
    }

    /// Draws the whole figure in its style.
    public func draw(on renderer: Renderer) {
        applyNarrowLayout()
        // The notebook's layout is kept unless something would be cut off at the figure's edge (a long label, a
        // legend moved outside); a fitted style always fits.
        fitLayout(measuringWith: renderer, always: fitsTightly)
        drawContents(on: style == .notebook ? renderer : StyledRenderer(renderer, style: style))
    }

    private func drawContents(on renderer: Renderer, withSuptitle: Bool = true) {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        renderer.draw(Path.rectangle(Rect(x: 0, y: 0, width: w, height: h)), style: PathStyle(fill: .white))
        var legendsDrawn: [[String]] = []
        for panel in panels {
            let labels: [String]
            switch panel {
            case .axes(let a): labels = a.legendLocation == nil ? [] : a.legendEntries().map(\.label)
            case .axes3D(let a): labels = a.legendLocation == nil ? [] : a.legendEntries().map(\.label)
            }
            let legend = !(style.mergeRepeatedLegends && legendsDrawn.contains { Set($0) == Set(labels) })
            if !labels.isEmpty { legendsDrawn.append(labels) }
            switch panel {
            case .axes(let a): a.draw(on: renderer, figure: self, drawLegend: legend)
            case .axes3D(let a): a.draw(on: renderer, figure: self, drawLegend: legend)
            }
        }
        if let colorBar, let bar = colorBarRect() {
            _ = colorBar.draw(on: renderer, in: bar, pointsToPixels: pointsToPixels)
        }
        if let suptitle, withSuptitle {
            // matplotlib: 'large' (12 pt) at y = 0.98, centred, top-aligned.
            renderer.drawTitle(suptitle, size: 12 * pointsToPixels, anchor: Point(w / 2, 0.02 * h), width: 0.96 * w,
                               vertical: .top, minimumSize: 6 * pointsToPixels / renderer.textScale)
        }
    }

    /// matplotlib's `tight_layout`, simplified: draws the figure without ink, measures how far labels, titles and
    /// legends reach beyond the subplot grid, and moves the grid's edges so that everything fits with a small pad.
    /// Three times, because text keeps its size while the axes grow or shrink (and equal-aspect axes with them).
    private func fitLayout(measuringWith measurer: Renderer, always: Bool) {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        let pad = 4 * pointsToPixels
        // Three passes, and up to three more while the edges still move by more than a pixel: a title that wraps
        // to the axes' width (equal-aspect axes narrow as the margins grow) may need more to settle.
        var edges = (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge)
        // Each pass fits the margins to the layout the pass before left, so the last one is not known to fit: every
        // layout measured is kept with how far its text runs off the canvas or into a neighbour's.
        var measured: [(misfit: Double, layout: SubplotLayout)] = []
        // A layout kept as it is (the notebook's, matplotlib's gaps) still makes room between panels whose text
        // would run into a neighbour's (a legend moved below its axes onto the next row's title); gaps then only
        // grow.
        var gaps = always, onlyGrow = false, margins = true
        for pass in 0..<6 {
            if pass >= 3 {
                let now = (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge)
                let moved = max(abs(now.0 - edges.0) * w, abs(now.1 - edges.1) * w, abs(now.2 - edges.2) * h,
                                abs(now.3 - edges.3) * h)
                if moved <= 1 { break }
            }
            edges = (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge)
            let (bounds, suptitleBottom) = inkReach(measuringWith: measurer)
            guard let b = bounds else { return }
            if pass == 0 && !always {
                let crowded = !disabledLayoutRules.contains(.widenCrowdedGaps)
                    && misfit(Rect(x: 0, y: 0, width: w, height: h), suptitleBottom: 0, measuringWith: measurer,
                              gaps: true) > 0.5
                let inside = b.x >= 0 && b.y >= 0 && b.maxX <= w && b.maxY <= h
                if !crowded && inside { return }
                (gaps, onlyGrow, margins) = (crowded, crowded, !inside)
            }
            measured.append((misfit(b, suptitleBottom: suptitleBottom, measuringWith: measurer, gaps: gaps),
                             subplotLayout))
            let left = subplotLeftEdge * w, right = subplotRightEdge * w
            let top = (1 - subplotTopEdge) * h, bottom = (1 - subplotBottomEdge) * h
            let wantLeft = pad + (left - b.x), wantRight = w - pad - (b.maxX - right)
            let wantTop = suptitleBottom + pad + (top - b.y), wantBottom = h - pad - (b.maxY - bottom)
            // Keep at least a fifth of the figure for the axes, whatever the labels ask: when the labels want
            // more, the margins shrink in proportion (something is cut off then, evenly, rather than the axes
            // vanishing).
            func squeeze(_ low: Double, _ high: Double, _ size: Double) -> (Double, Double) {
                let margins = low + (size - high)
                guard high - low < size / 5, margins > 0 else { return (low, high) }
                let k = (size * 4 / 5) / margins
                return (low * k, size - (size - high) * k)
            }
            let (newLeft, newRight) = squeeze(wantLeft, wantRight, w)
            let (newTop, newBottom) = squeeze(wantTop, wantBottom, h)
            if margins {
                // Only panels in the grid lose height to squeezed margins (those at fixed places keep theirs).
                let inGrid = panels.contains { if case .axes(let a) = $0 { a.position == nil } else { true } }
                if inGrid, newTop != wantTop || newBottom != wantBottom { lacksHeight = true }
                subplotLeftEdge = newLeft / w
                subplotRightEdge = newRight / w
                subplotTopEdge = 1 - newTop / h
                subplotBottomEdge = 1 - newBottom / h
            }
            if gaps { fitPanelGaps(measuringWith: measurer, pad: pad, onlyGrow: onlyGrow) }
        }
        // The layout the last pass left is checked too; when one measured before fitted better (the margins of a
        // pass fitted to a layout whose text the next pass moved), that one is kept.
        let (bounds, suptitleBottom) = inkReach(measuringWith: measurer)
        guard let b = bounds, let best = measured.min(by: { $0.misfit < $1.misfit }) else { return }
        let last = misfit(b, suptitleBottom: suptitleBottom, measuringWith: measurer, gaps: gaps)
        if best.misfit < last - 0.5 { subplotLayout = best.layout }
    }

    /// The subplot grid's edges and gaps, which a fitted layout sets.
    private typealias SubplotLayout = (left: Double, right: Double, bottom: Double, top: Double, widthSpace: Double,
                                       heightSpace: Double)

    private var subplotLayout: SubplotLayout {
        get {
            (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge, subplotWidthSpace,
             subplotHeightSpace)
        }
        set {
            (subplotLeftEdge, subplotRightEdge, subplotBottomEdge, subplotTopEdge, subplotWidthSpace,
             subplotHeightSpace) = newValue
        }
    }

    /// The bounds of the panels' ink (without the suptitle, which keeps its place at the top: the grid goes below
    /// it), and the bottom of the suptitle's ink (0 without one).
    private func inkReach(measuringWith measurer: Renderer) -> (bounds: Rect?, suptitleBottom: Double) {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        let ink = InkBoundsRenderer(measuringWith: measurer)
        drawContents(on: StyledRenderer(ink, style: style), withSuptitle: false)
        var suptitleBottom = 0.0
        if let suptitle {
            let titleInk = InkBoundsRenderer(measuringWith: measurer)
            StyledRenderer(titleInk, style: style).drawTitle(
                suptitle, size: 12 * pointsToPixels, anchor: Point(w / 2, 0.02 * h), width: 0.96 * w,
                vertical: .top, minimumSize: 6 * pointsToPixels / style.fontSize * Style.notebook.fontSize)
            suptitleBottom = titleInk.bounds?.maxY ?? 0
        }
        return (ink.bounds, suptitleBottom)
    }

    /// How many pixels of the current layout's ink `b` run off the canvas or under the suptitle, plus (with `gaps`)
    /// how far the panels' text reaches past the gaps between them: 0 for a layout that fits.
    private func misfit(_ b: Rect, suptitleBottom: Double, measuringWith measurer: Renderer, gaps: Bool) -> Double {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        var misfit = max(0, -b.x) + max(0, b.maxX - w) + max(0, suptitleBottom - b.y) + max(0, b.maxY - h)
        if gaps {
            let reach = panelReach(measuringWith: measurer)
            misfit += max(0, reach.left + reach.right - subplotWidthSpace * reach.cell.width)
                + max(0, reach.top + reach.bottom - subplotHeightSpace * reach.cell.height)
        }
        return misfit
    }

    /// Sets the gaps between subplots so that each panel's labels and title clear its neighbours': the widest
    /// reach to the right plus the widest to the left, and the deepest below plus the tallest above, plus a pad.
    /// With `onlyGrow`, gaps wide enough already are kept.
    private func fitPanelGaps(measuringWith measurer: Renderer, pad: Double, onlyGrow: Bool = false) {
        let reach = panelReach(measuringWith: measurer)
        if reach.columns > 1, reach.cell.width > 0 {
            let wanted = min(1, max(0.05, (reach.left + reach.right + pad) / reach.cell.width))
            subplotWidthSpace = onlyGrow ? max(subplotWidthSpace, wanted) : wanted
        }
        if reach.rows > 1, reach.cell.height > 0 {
            let wanted = (reach.top + reach.bottom + pad) / reach.cell.height
            if wanted > 1 { lacksHeight = true }
            let fitted = min(1, max(0.05, wanted))
            subplotHeightSpace = onlyGrow ? max(subplotHeightSpace, fitted) : fitted
        }
    }

    /// How far the panels' ink reaches beyond their axes towards a neighbour (zero in a grid of one column or
    /// row), with the grid's shape and cell size.
    private func panelReach(measuringWith measurer: Renderer)
        -> (left: Double, right: Double, top: Double, bottom: Double, columns: Int, rows: Int,
            cell: (width: Double, height: Double)) {
        var reach = (left: 0.0, right: 0.0, top: 0.0, bottom: 0.0)
        var columns = 1, rows = 1
        var cellSize = (width: 0.0, height: 0.0)
        for panel in panels {
            let ink = InkBoundsRenderer(measuringWith: measurer)
            let styled = StyledRenderer(ink, style: style)
            let cell: SubplotCell, box: Rect
            switch panel {
            case .axes(let a):
                // Axes at a fixed place are not in the grid.
                if a.position != nil { continue }
                a.draw(on: styled, figure: self); cell = a.cell; box = a.frame(in: self)
            case .axes3D(let a): a.draw(on: styled, figure: self); cell = a.cell; box = rect(of: a.cell)
            }
            guard let b = ink.bounds else { continue }
            columns = max(columns, cell.columns)
            rows = max(rows, cell.rows)
            let r = rect(of: SubplotCell(rows: cell.rows, columns: cell.columns, index: cell.index))
            cellSize = (r.width, r.height)
            // Only reaches towards a neighbour matter here; the outer margins are fitted by the caller.
            if cell.column > 0 { reach.left = max(reach.left, box.x - b.x) }
            // A legend set into the empty cell beside the last panel reaches no neighbour.
            if cell.lastColumn < cell.columns - 1, hasPanel(rightOf: cell) {
                reach.right = max(reach.right, b.maxX - box.maxX)
            }
            if cell.row > 0 { reach.top = max(reach.top, box.y - b.y) }
            if cell.lastRow < cell.rows - 1 { reach.bottom = max(reach.bottom, b.maxY - box.maxY) }
        }
        return (reach.left, reach.right, reach.top, reach.bottom, columns, rows, cellSize)
    }

    /// Where the figure's colour bar goes, right of the subplot grid and as tall as it; nil without one.
    func colorBarRect() -> Rect? {
        guard colorBar != nil else { return nil }
        let grid = gridRect(), total = (subplotRightEdge - subplotLeftEdge) * Double(pixelWidth)
        return Rect(x: grid.maxX + 0.04 * total, y: grid.y, width: min(0.03 * total, grid.height / 20),
                    height: grid.height)
    }

    /// How far right the panels' titles and labels may reach: the canvas's edge, or the figure's colour bar.
    var textRightEdge: Double { colorBarRect().map { $0.x - 2 * pointsToPixels } ?? Double(pixelWidth) }

    /// The pixel rectangle the subplot grid spans (less the figure's colour bar, if any).
    func gridRect() -> Rect {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        let share = colorBar == nil ? 1 : 1 - ColorBar.figureFraction
        return Rect(x: subplotLeftEdge * w, y: (1 - subplotTopEdge) * h,
                    width: (subplotRightEdge - subplotLeftEdge) * w * share,
                    height: (subplotTopEdge - subplotBottomEdge) * h)
    }

    /// The pixel rectangle of a subplot cell.
    func rect(of cell: SubplotCell) -> Rect {
        let w = Double(pixelWidth), h = Double(pixelHeight)
        let totalWidth = gridRect().width
        let totalHeight = (subplotTopEdge - subplotBottomEdge) * h
        let cellWidth = totalWidth / (Double(cell.columns) + subplotWidthSpace * Double(cell.columns - 1))
        let cellHeight = totalHeight / (Double(cell.rows) + subplotHeightSpace * Double(cell.rows - 1))
        let x = subplotLeftEdge * w + Double(cell.column) * cellWidth * (1 + subplotWidthSpace)
        let y = (1 - subplotTopEdge) * h + Double(cell.row) * cellHeight * (1 + subplotHeightSpace)
        let spanned = (width: Double(cell.columnSpan - 1) * cellWidth * (1 + subplotWidthSpace),
                       height: Double(cell.rowSpan - 1) * cellHeight * (1 + subplotHeightSpace))
        return Rect(x: x, y: y, width: cellWidth + spanned.width, height: cellHeight + spanned.height)
    }
}

/// A cell of a subplot grid, possibly spanning several rows and columns from its top-left cell `index`
/// (matplotlib's `GridSpec` slices, `gs[1:4, 0:3]`).
public struct SubplotCell: Sendable {
    public var rows: Int, columns: Int, index: Int
    public var rowSpan: Int, columnSpan: Int
    public init(rows: Int, columns: Int, index: Int, rowSpan: Int = 1, columnSpan: Int = 1) {
        precondition(rows >= 1 && columns >= 1 && index >= 1 && index <= rows * columns, "invalid subplot cell")
        precondition(rowSpan >= 1 && columnSpan >= 1 && (index - 1) / columns + rowSpan <= rows
                     && (index - 1) % columns + columnSpan <= columns, "a span beyond the grid")
        self.rows = rows; self.columns = columns; self.index = index
        self.rowSpan = rowSpan; self.columnSpan = columnSpan
    }
    /// The grid row and column of the top-left cell, and of the bottom-right one.
    var row: Int { (index - 1) / columns }
    var column: Int { (index - 1) % columns }
    var lastRow: Int { row + rowSpan - 1 }
    var lastColumn: Int { column + columnSpan - 1 }
}

/// A named figure, built when it is drawn. A `Figure` is a tree of mutable axes that one thread builds and draws;
/// handing out recipes instead lets a writer build and draw many figures on several threads at once.
public struct FigureRecipe: Sendable {
    /// The file name, without extension.
    public var name: String
    /// Builds the figure; nil when there is nothing to draw (say, no exact partition was computed).
    public var make: @Sendable () -> Figure?
    /// How long the figure takes to build and draw, relative to a plain one (1): writers start the costliest
    /// first, so that no thread is left drawing a big figure alone at the end.
    public var cost: Double

    public init(_ name: String, cost: Double = 1, _ make: @escaping @Sendable () -> Figure?) {
        self.name = name
        self.cost = cost
        self.make = make
    }
}

/// The rules by which a figure's layout adapts to its size rather than cut, cover or squash (issue #26). Each can be
/// switched off (`Figure.disabledLayoutRules`) to show that the layout audit then fails on some figure.
public enum LayoutRule: String, CaseIterable, Sendable {
    /// Figures fitted to a column, or narrower than a double column, fit their margins and gaps to their text in
    /// every style.
    case fitNarrowFigures = "narrow figures fit their layout"
    /// Axis labels longer than their room wrap, as titles do.
    case wrapAxisLabels = "axis labels wrap"
    /// A figure whose panels cannot keep their text grows in height.
    case growInHeight = "figures grow in height"
    /// Boxed annotations move to where they hide no data.
    case placeAnnotations = "annotations keep off data"
    /// A legend that would hide data moves to a free place, or outside the axes.
    case moveLegends = "legends keep off data"
    /// A layout otherwise kept as drawn (the notebook's, at its own size) widens the gaps between panels whose
    /// text would run into a neighbour's.
    case widenCrowdedGaps = "crowded gaps widen"
    /// Titles wider than their room wrap at spaces, and shrink when one word is wider still.
    case wrapTitles = "titles wrap and shrink"
    /// Axes that ask for an equal aspect (a 2-D input plane, a heat map's square cells) keep it.
    case keepEqualAspect = "equal aspects kept"
    /// Numbers in heat-map cells shrink to their cell, take fewer decimals, and are left out under 6 pt.
    case fitCellNumbers = "cell numbers fit their cells"
    /// Point labels that crowd their axes (no free place at their size, or more than an eighth of the area
    /// together) become lettered marks on the points, the labels in the legend.
    case keyCrowdedLabels = "crowded point labels become a key"
}
