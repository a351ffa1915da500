/// A colour map: a value in [0, 1] to a colour, linearly interpolated between evenly spaced anchors.
///
/// The anchors are matplotlib's maps sampled at even steps, so figures keep the palettes researchers know.
public struct Colormap: Sendable {
    /// The anchor colours, from 0 to 1.
    public let anchors: [Color]

    public init(anchors: [Color]) {
        precondition(anchors.count >= 2, "a colour map needs at least two anchors")
        self.anchors = anchors
    }

    /// The colour at `t`, clamped to [0, 1]; NaN maps to light grey.
    public func callAsFunction(_ t: Double) -> Color {
        guard t.isFinite else { return Color(0.85, 0.85, 0.85) }
        let s = min(1, max(0, t)) * Double(anchors.count - 1)
        let k = min(anchors.count - 2, Int(s))
        let f = s - Double(k)
        let a = anchors[k], b = anchors[k + 1]
        return Color(a.red + (b.red - a.red) * f, a.green + (b.green - a.green) * f, a.blue + (b.blue - a.blue) * f)
    }

    /// The colour of `value` on a map spanning `range`.
    public func color(_ value: Double, in range: ClosedRange<Double>) -> Color {
        let width = range.upperBound - range.lowerBound
        return self(width > 0 ? (value - range.lowerBound) / width : 0.5)
    }

    /// Whether text drawn over `color` should be white rather than black (by relative luminance).
    public static func prefersWhiteText(on color: Color) -> Bool {
        0.2126 * color.red + 0.7152 * color.green + 0.0722 * color.blue < 0.45
    }

    /// matplotlib's `viridis`, sampled at 17 points.
    public static let viridis = Colormap(anchors: [
        (0.267, 0.0049, 0.3294), (0.2823, 0.095, 0.4173), (0.2788, 0.1755, 0.4834), (0.259, 0.2515, 0.5247),
        (0.2297, 0.3224, 0.5457), (0.1994, 0.3876, 0.5546), (0.1727, 0.4488, 0.5579), (0.149, 0.5081, 0.5572),
        (0.1276, 0.5669, 0.5506), (0.1206, 0.6258, 0.5335), (0.1579, 0.6838, 0.5017), (0.2461, 0.7389, 0.452),
        (0.3692, 0.7889, 0.3829), (0.516, 0.8312, 0.2943), (0.6785, 0.8637, 0.1895), (0.8456, 0.8873, 0.0997),
        (0.9932, 0.9062, 0.1439),
    ].map { Color($0.0, $0.1, $0.2) })

    /// matplotlib's diverging `RdBu_r` (blue below the middle, red above), sampled at 11 points.
    public static let redBlue = Colormap(anchors: [
        (0.0196, 0.1882, 0.3804), (0.1273, 0.3958, 0.6687), (0.2627, 0.5765, 0.7647), (0.5665, 0.7687, 0.8685),
        (0.8196, 0.898, 0.9412), (0.9691, 0.9665, 0.9649), (0.9922, 0.8588, 0.7804), (0.9546, 0.6418, 0.5057),
        (0.8392, 0.3765, 0.302), (0.6923, 0.0923, 0.1677), (0.4039, 0.0, 0.1216),
    ].map { Color($0.0, $0.1, $0.2) })
}
