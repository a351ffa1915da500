/// How a run's figures look — style, size, resolution, legend placement — said once for all of them and applied to
/// each built figure (the scene), so that no figure builder takes any of it as a parameter. A figure builder
/// chooses only what is its own: its natural size in inches and its content; the look replaces what the user
/// asked to replace.
public struct FigureLook: Sendable, Equatable {
    /// The style every figure is drawn in (text size, line scale, spines, layout, palette).
    public var style: Style
    /// Pixels per inch of every figure.
    public var dpi: Double
    /// Width and height in inches, replacing each figure's own; nil keeps them.
    public var size: (width: Double, height: Double)?
    /// Width in inches (a paper's column), the height keeping each figure's proportions; nil keeps it.
    public var width: Double?
    /// A legend placement for every legend (`.some(nil)`: none); nil keeps each figure's own.
    public var legend: LegendLocation??
    /// Which collections go into vector files as one image (matplotlib's `rasterized`); PNG is the same either way.
    public var rasterization: Rasterization

    /// The look of a figure as its builder makes it: the notebook style at 100 dpi, matplotlib's default.
    public init(style: Style = .notebook, dpi: Double = 100, size: (width: Double, height: Double)? = nil,
                width: Double? = nil, legend: LegendLocation?? = nil, rasterization: Rasterization = .auto) {
        self.style = style
        self.dpi = dpi
        self.size = size
        self.width = width
        self.legend = legend
        self.rasterization = rasterization
    }

    /// Gives `figure`, freshly built, this look. Apply it once: a column width restacks panels.
    public func apply(to figure: Figure) {
        figure.style = style
        figure.dpi = dpi
        figure.rasterization = rasterization
        if let (w, h) = size {
            figure.width = w
            figure.height = h
        } else if let width {
            // A single column restacks side-by-side panels; a double column keeps the proportions.
            figure.fit(toColumnWidth: width)
        }
        if let legend {
            figure.moveLegends(to: legend)
            // A legend outside the axes needs the layout fitted around it, in any style.
            if legend == .outsideRight { figure.style.tightLayout = true }
        }
    }

    public static func == (a: FigureLook, b: FigureLook) -> Bool {
        a.style == b.style && a.dpi == b.dpi && a.size?.width == b.size?.width && a.size?.height == b.size?.height
            && a.width == b.width && a.legend == b.legend
            && a.rasterization == b.rasterization
    }
}

extension FigureRecipe {
    /// The recipe whose figure is given `look` once built: for a caller that draws recipes itself.
    public func applying(_ look: FigureLook) -> FigureRecipe {
        let make = self.make
        return FigureRecipe(name, cost: cost) {
            guard let figure = make() else { return nil }
            look.apply(to: figure)
            return figure
        }
    }
}
