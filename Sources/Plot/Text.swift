/// A run of text in one style.
public struct TextRun: Equatable, Sendable {
    public var text: String
    /// Italic (mathtext variables), else upright.
    public var italic: Bool
    /// A subscript (mathtext's `_`): smaller, below the baseline.
    public var isSubscript: Bool

    public init(_ text: String, italic: Bool = false, isSubscript: Bool = false) {
        self.text = text
        self.italic = italic
        self.isSubscript = isSubscript
    }

    /// A subscript's size relative to the text's, and how far its baseline drops, in the text's size (mathtext's
    /// proportions for DejaVu Sans).
    public static let subscriptScale = 0.7, subscriptDrop = 0.2
}

/// Size of laid-out text in pixels: width, and ascent/descent from the baseline (font-wide, not ink).
public struct TextMetrics: Equatable, Sendable {
    public var width: Double, ascent: Double, descent: Double
    public init(width: Double, ascent: Double, descent: Double) {
        self.width = width; self.ascent = ascent; self.descent = descent
    }
    public var height: Double { ascent + descent }
}

/// Horizontal alignment of text to its anchor.
public enum HorizontalAlignment: Sendable { case left, center, right }
/// Vertical alignment of text to its anchor.
public enum VerticalAlignment: Sendable { case top, center, baseline, bottom }

/// A label that may contain `$...$` math, parsed the way matplotlib's mathtext shows simple expressions:
/// letters in math are italic, digits and operators upright, `-` becomes a real minus sign, and binary
/// operators (`+ − =`) get a little space around them.
public enum MathText {
    /// Thin space used around binary operators (U+2009).
    static let operatorSpace = "\u{2009}"

    /// The symbols of mathtext commands a label may use; another command shows its name upright (`\\max`).
    static let symbols: [String: String] = [
        "partial": "∂", "nabla": "∇", "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "Delta": "Δ",
        "epsilon": "ε", "eta": "η", "theta": "θ", "lambda": "λ", "mu": "μ", "pi": "π", "sigma": "σ", "Sigma": "Σ",
        "tau": "τ", "phi": "φ", "omega": "ω", "infty": "∞", "cdot": "·", "times": "×", "to": "→",
        "rightarrow": "→", "mapsto": "↦", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "approx": "≈",
    ]

    /// The runs of `label`. In math, `_x` and `_{...}` are subscripts.
    public static func runs(_ label: String) -> [TextRun] {
        var runs: [TextRun] = []
        // Inside `_{...}`: the depth of braces still open, and whether one character only is subscripted.
        var subscriptBraces = 0, subscriptOne = false
        func append(_ s: String, italic: Bool) {
            guard !s.isEmpty else { return }
            let sub = subscriptBraces > 0 || subscriptOne
            subscriptOne = false
            if let last = runs.last, last.italic == italic, last.isSubscript == sub {
                runs[runs.count - 1].text += s
            } else {
                runs.append(TextRun(s, italic: italic, isSubscript: sub))
            }
        }
        var inMath = false
        var previousMathToken: Character? = nil
        var chars = Array(label)
        var i = 0
        // An unmatched `$` is literal text, as in matplotlib.
        if chars.filter({ $0 == "$" }).count % 2 == 1 { chars = Array(label.replacing("$", with: "\u{0}")) }
        while i < chars.count {
            let c = chars[i]
            if c == "\u{0}" { append("$", italic: false); i += 1; continue }
            if c == "$" { inMath.toggle(); previousMathToken = nil; i += 1; continue }
            if !inMath { append(String(c), italic: false); i += 1; continue }
            if c == " " { i += 1; continue }   // mathtext ignores spaces in math
            if c == "\\" {
                // A command: its symbol, or its name as upright text (e.g. \max).
                var name = ""
                i += 1
                while i < chars.count, chars[i].isLetter { name.append(chars[i]); i += 1 }
                append(symbols[name] ?? name, italic: false)
                previousMathToken = "a"
                continue
            }
            if c == "_" {
                if i + 1 < chars.count, chars[i + 1] == "{" { subscriptBraces += 1; i += 2 } else { subscriptOne = true; i += 1 }
                continue
            }
            if subscriptBraces > 0, c == "{" { subscriptBraces += 1; i += 1; continue }
            if subscriptBraces > 0, c == "}" { subscriptBraces -= 1; i += 1; continue }
            if c.isLetter {
                append(String(c), italic: true)
            } else if "+-=".contains(c) {
                let symbol = c == "-" ? "\u{2212}" : String(c)
                // Unary when nothing operand-like precedes it.
                let unary = c != "=" && (previousMathToken == nil || "(=+-,[{".contains(previousMathToken!))
                append(unary ? symbol : operatorSpace + symbol + operatorSpace, italic: false)
            } else {
                append(String(c), italic: false)
            }
            previousMathToken = c
            i += 1
        }
        return runs
    }
}

/// Formats a number as matplotlib's tick labels do: a real minus sign.
func withUnicodeMinus(_ s: String) -> String {
    s.hasPrefix("-") ? "\u{2212}" + s.dropFirst() : s
}
