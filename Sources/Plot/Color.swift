/// An RGBA colour with components in [0, 1].
public struct Color: Equatable, Hashable, Sendable {
    public var red: Double, green: Double, blue: Double, alpha: Double

    public init(_ red: Double, _ green: Double, _ blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A colour from a hex string such as `#1f77b4`.
    public init(hex: String) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        let value = UInt32(digits, radix: 16) ?? 0
        self.init(Double((value >> 16) & 0xFF) / 255, Double((value >> 8) & 0xFF) / 255, Double(value & 0xFF) / 255)
    }

    /// The same colour with another alpha.
    public func withAlpha(_ alpha: Double) -> Color { Color(red, green, blue, alpha: alpha) }

    /// The opaque colour this one shows over white at `alpha` (matplotlib's `alpha` on a white background), a
    /// tint of it: drawn overlapping itself or its neighbours it shows no darker seam, as translucent dots do.
    public func over(white alpha: Double) -> Color {
        Color(1 + (red - 1) * alpha, 1 + (green - 1) * alpha, 1 + (blue - 1) * alpha)
    }

    /// The colours of nets a and b in every figure of every command: one meaning per figure set (tab10's first
    /// two, Okabe–Ito blue and orange in the paper style). A mapping a → b takes a's colour (a tint of it where
    /// net a itself is drawn too), b → a b's.
    public static let netA = tab10[0], netB = tab10[1]

    // matplotlib's single-letter colours.
    public static let red = Color(1, 0, 0)
    public static let green = Color(0, 0.5, 0)
    public static let blue = Color(0, 0, 1)
    public static let magenta = Color(0.75, 0, 0.75)
    public static let cyan = Color(0, 0.75, 0.75)
    public static let black = Color(0, 0, 0)
    public static let white = Color(1, 1, 1)

    /// matplotlib's default colour cycle, tab10.
    public static let tab10: [Color] = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"].map { Color(hex: $0) }
}
