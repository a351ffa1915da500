/// Which data collections go into vector files (SVG, PDF) as one embedded image instead of one path per shape:
/// matplotlib's `rasterized=True`, decided per figure. Text, ticks, spines, legends and sparse overlays (lines,
/// decision boundaries, a few points) always stay vector; PNG files are the same under every choice.
public enum Rasterization: String, CaseIterable, Sendable {
    /// Big collections only: polygon runs of more than `Rasterization.polygonsAbove` shapes, and marker batches of
    /// `Rasterization.markersFrom` or more.
    case auto
    /// Everything stays vector, whatever the file size.
    case never
    /// Every polygon collection and every marker batch is an image.
    case always

    /// A run of polygon collections (a partition's fills and its outlines) with more shapes than this is drawn
    /// as one image, at the figure's dpi. Each polygon costs a vector file a path of a few hundred bytes, while the
    /// image of an axes box costs a roughly fixed amount whatever it shows: about a thousand cells (a fill and an
    /// outline each) is where the two meet (docs/figures.md, "Big partitions in vector files"), and below it a
    /// partition stays editable.
    public static let polygonsAbove = 2000

    /// Marker batches at least this large are an image under `auto` (a scatter of a hundred thousand dots would
    /// otherwise make a file of megabytes).
    public static let markersFrom = 1000

    /// Whether a run of polygon collections with `count` shapes in all is drawn as one image in a vector file.
    public func rasterizes(polygons count: Int) -> Bool {
        switch self {
        case .auto: return count > Rasterization.polygonsAbove
        case .never: return false
        case .always: return count > 0
        }
    }

    /// Whether a batch of `count` markers is drawn as an image in a vector file.
    public func rasterizes(markers count: Int) -> Bool {
        switch self {
        case .auto: return count >= Rasterization.markersFrom
        case .never: return false
        case .always: return count > 0
        }
    }
}
