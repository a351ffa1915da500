import FoundationEssentials
import Glibc
import Support

/// matplotlib's `AutoLocator` (a `MaxNLocator` with steps 1, 2, 2.5, 5, 10): tick positions at a "nice" step,
/// at most `maxBins` intervals across the view.
///
/// `rawStepFactor` is 23/24 on 3-D axes, where matplotlib shrinks the raw step to keep its pre-3.9 look.
public func niceTicks(from vmin: Double, to vmax: Double, maxBins: Int, rawStepFactor: Double = 1) -> [Double] {
    guard vmin.isFinite, vmax.isFinite, vmax > vmin else { return vmin.isFinite ? [vmin] : [] }
    let nbins = Double(max(1, maxBins))
    let range = vmax - vmin
    let mean = (vmax + vmin) / 2
    // scale_range: an offset only for data far from zero relative to its spread.
    var offset = 0.0
    let scale = pow(10, floor(log10(range / nbins)))
    if abs(mean) / range >= 100 {
        offset = copysign(pow(10, floor(log10(abs(mean)))), mean)
    }
    let lo = vmin - offset, hi = vmax - offset
    let steps: [Double] = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20].map { $0 * scale }
    let rawStep = (hi - lo) / nbins * rawStepFactor
    var index = steps.firstIndex { $0 >= rawStep } ?? steps.count - 1
    var ticks: [Double] = []
    // From the smallest step at least the raw step, down to smaller ones until two ticks are in view.
    while index >= 0 {
        let step = steps[index]
        let best = (lo / step).rounded(.down) * step
        let low = ((lo - best) / step - 1e-10).rounded(.down)
        let high = ((hi - best) / step + 1e-10).rounded(.up)
        ticks = stride(from: low, through: high, by: 1).map { $0 * step + best }
        let inside = ticks.filter { $0 >= lo - 1e-10 * step && $0 <= hi + 1e-10 * step }.count
        if inside >= 2 { break }
        index -= 1
    }
    // Snap tiny float noise (e.g. 0.30000000000000004) and give back only the ticks in view.
    return ticks.map { ($0 + offset) }
        .map { abs($0) < 1e-12 * range ? 0 : $0 }
        .filter { $0 >= vmin - 1e-9 * range && $0 <= vmax + 1e-9 * range }
}

/// matplotlib's `ScalarFormatter` for ticks without an offset: the fewest decimals that keep every tick exact
/// to 1e-3 of the range's order of magnitude, and a real minus sign.
public func tickLabels(_ ticks: [Double]) -> [String] {
    guard let lo = ticks.min(), let hi = ticks.max() else { return [] }
    let largest = ticks.map(abs).max() ?? 0
    if largest >= 1e5 || (largest > 0 && largest < 1e-4) {
        return ticks.map { withUnicodeMinus(String(cFormat: "%.3g", $0)) }
    }
    let range = hi - lo > 0 ? hi - lo : max(abs(hi), 1)
    let oom = Int(floor(log10(range)))
    var digits = max(0, 3 - oom)
    let threshold = 1e-3 * pow(10, Double(oom))
    while digits > 0 {
        let scale = pow(10, Double(digits - 1))
        let error = ticks.map { abs($0 - ($0 * scale).rounded() / scale) }.max() ?? 0
        if error < threshold { digits -= 1 } else { break }
    }
    return ticks.map { value -> String in
        let s = String(cFormat: "%.\(digits)f", value)
        // "-0.00" reads as zero.
        if Double(s) == 0 { return String(cFormat: "%.\(digits)f", 0.0) }
        return withUnicodeMinus(s)
    }
}

/// Limits of `values` with matplotlib's 5 % margins (a zero-width range is widened).
public func paddedLimits(_ values: [Double], margin: Double = 0.05) -> (Double, Double) {
    // The finite values' extremes in one pass, without a filtered copy (3-D axes bring tens of thousands).
    var (lo, hi) = (Double.infinity, -Double.infinity)
    for v in values where v.isFinite {
        lo = min(lo, v)
        hi = max(hi, v)
    }
    guard lo <= hi else { return (-0.05, 0.05) }
    if hi - lo < 1e-12 * max(1, abs(hi)) {
        let delta = lo == 0 ? 0.05 : 0.05 * abs(lo)
        lo -= delta
        hi += delta
        return (lo, hi)
    }
    let pad = (hi - lo) * margin
    return (lo - pad, hi + pad)
}

/// A tick: its position in scaled coordinates, and its label (nil for a minor tick).
public struct Tick: Equatable, Sendable {
    public var position: Double
    public var label: String?
}

/// How data map onto an axis.
public enum AxisScale: Sendable {
    case linear
    /// Base-10 logarithmic: decades get labelled major ticks, 2…9 × 10ᵏ minor ones.
    case log

    /// Data → scaled coordinate (NaN for non-positive values on a log axis).
    public func apply(_ v: Double) -> Double {
        switch self {
        case .linear: return v
        case .log: return v > 0 ? log10(v) : .nan
        }
    }

    /// Ticks for a view of [lo, hi] in scaled coordinates.
    public func ticks(from lo: Double, to hi: Double, maxBins: Int) -> [Tick] {
        switch self {
        case .linear:
            let values = niceTicks(from: lo, to: hi, maxBins: maxBins)
            return zip(values, tickLabels(values)).map { Tick(position: $0.0, label: $0.1) }
        case .log:
            var ticks: [Tick] = []
            let first = Int(lo.rounded(.down)), last = Int(hi.rounded(.up))
            let majorCount = (first...last).filter { Double($0) >= lo - 1e-9 && Double($0) <= hi + 1e-9 }.count
            for k in first...last {
                // Beyond eight decades the minor ticks would be a solid bar (matplotlib drops them too).
                for m in 1...(majorCount > 8 ? 1 : 9) {
                    let position = Double(k) + log10(Double(m))
                    guard position >= lo - 1e-9 && position <= hi + 1e-9 else { continue }
                    let value = Double(m) * pow(10, Double(k))
                    // Label decades (every second or third when more are in view than the axis has room for, at
                    // most eight); when fewer than two decades are in view, label 2 and 5 as well.
                    let bins = max(2, min(8, maxBins))
                    let every = max(1, (majorCount + bins - 1) / bins)
                    let labelled = (m == 1 && (k % every == 0)) || (majorCount < 2 && (m == 2 || m == 5))
                    ticks.append(Tick(position: position, label: labelled ? logLabel(value) : nil))
                }
            }
            // A view of less than a decade shows one label or none, which gives no scale: every tick labelled
            // then (matplotlib's minor labels), and where even that leaves one, plain values at a linear step.
            if ticks.filter({ $0.label != nil }).count < 2 {
                let all = ticks.map { Tick(position: $0.position, label: logLabel(pow(10, $0.position))) }
                if all.count >= 2 && all.count <= max(2, maxBins) { return all }
                let values = niceTicks(from: pow(10, lo), to: pow(10, hi), maxBins: maxBins).filter { $0 > 0 }
                if values.count >= 2 {
                    return zip(values, tickLabels(values)).map { Tick(position: log10($0.0), label: $0.1) }
                }
            }
            return ticks
        }
    }

    /// matplotlib's `LogFormatterSciNotation`: every label in one form, 10ᵏ (or m×10ᵏ between decades), rather
    /// than "0.0001" beside "1e-06".
    func logLabel(_ v: Double) -> String {
        let k = Int(log10(v).rounded(.down) + (log10(v) - log10(v).rounded(.down) > 1 - 1e-9 ? 1 : 0))
        let m = Int((v / pow(10, Double(k))).rounded())
        let superscripts: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
                                                    "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
        let exponent = String(String(k).map { superscripts[$0] ?? $0 })
        return m == 1 ? "10" + exponent : "\(m)×10" + exponent
    }
}
