import FoundationEssentials
import Glibc
import Plot
import Support

/// The tables and the figure of `regionplot slice --through-random`.
public enum RandomSlicesOutput {
    /// `planes.csv`: one row per model and plane — `plane, model, neurons, rows` (the data rows, space-separated),
    /// `half_width, regions`, and the local complexity's means `lc_exact, lc_plane, lc_input` (empty without a
    /// radius).
    public static func planesTable(_ report: RandomSlicesReport) -> CSVTable {
        var table = CSVTable(columns: ["plane", "model", "neurons", "rows", "half_width", "regions", "lc_exact",
                                       "lc_plane", "lc_input"])
        func optional(_ v: Double?) -> CSVTable.Value { v.map(CSVTable.Value.double) ?? .missing }
        for p in report.planes {
            table.append([.int(p.plane), .text(p.model), .int(p.neurons), .text(rowsText(p.rows)),
                          .double(p.halfWidth), .int(p.regions), optional(p.localComplexityExact),
                          optional(p.localComplexityPlane), optional(p.localComplexityInput)])
        }
        return table
    }

    /// `lines.csv`: one row per model and segment — `line, model, neurons, rows, length, pieces, mean_distance`
    /// (from the evenly spaced sample points to the nearest boundary, along the segment) and the distances at the
    /// two points, `distance_p0, distance_p1`.
    public static func linesTable(_ report: RandomSlicesReport) -> CSVTable {
        var table = CSVTable(columns: ["line", "model", "neurons", "rows", "length", "pieces", "mean_distance",
                                       "distance_p0", "distance_p1"])
        for l in report.lines {
            table.append([.int(l.line), .text(l.model), .int(l.neurons), .text(rowsText(l.rows)), .double(l.length),
                          .int(l.pieces), .double(l.meanDistance), .double(l.distanceAtPoints[0]),
                          .double(l.distanceAtPoints[1])])
        }
        return table
    }

    /// `regions-vs-neurons.csv`: one row per model — `model, neurons, samples, mean_regions, std_regions,
    /// mean_distance` (segments: pieces for regions; the distance empty for planes).
    public static func summaryTable(_ report: RandomSlicesReport) -> CSVTable {
        var table = CSVTable(columns: ["model", "neurons", "samples", "mean_regions", "std_regions", "mean_distance"])
        for s in report.summaries {
            table.append([.text(s.model), .int(s.neurons), .int(s.samples), .double(s.meanRegions),
                          .double(s.stdRegions), s.meanDistance.map(CSVTable.Value.double) ?? .missing])
        }
        return table
    }

    /// `local-complexity.csv`: one row per point — `plane, model, kind` (`p0`–`p2` or `grid`), `u, v`,
    /// `exact_regions, crossing_units_plane, patterns_plane, crossing_units_input`.
    public static func localComplexityTable(_ points: [LocalComplexityPoint]) -> CSVTable {
        var table = CSVTable(columns: ["plane", "model", "kind", "u", "v", "exact_regions", "crossing_units_plane",
                                       "patterns_plane", "crossing_units_input"])
        for p in points {
            table.append([.int(p.plane), .text(p.model), .text(p.kind), .double(p.u), .double(p.v),
                          .int(p.exactRegions), .int(p.crossingUnitsPlane), .int(p.patternsPlane),
                          .int(p.crossingUnitsInput)])
        }
        return table
    }

    static func rowsText(_ rows: [Int]) -> String { rows.map(String.init).joined(separator: " ") }

    /// Regions (or pieces) per slice against neurons on log–log axes: every slice, each model's mean, and the
    /// fitted power law with its slope; nil with fewer than two models of different sizes.
    public static func figure(_ report: RandomSlicesReport) -> Figure? {
        guard let fit = report.fit else { return nil }
        let figure = Figure(width: 6.4, height: 4.8)
        let axes = figure.addAxes()
        axes.xScale = .log
        axes.yScale = .log
        let each: [(Double, Double)] = report.line ? report.lines.map { (Double($0.neurons), Double($0.pieces)) }
            : report.planes.map { (Double($0.neurons), Double($0.regions)) }
        let noun = report.line ? "pieces per segment" : "regions per slice"
        axes.scatter(each.map(\.0), each.map(\.1), color: Color.tab10[0], size: 14, alpha: 0.4,
                     label: report.line ? "each segment" : "each slice")
        let neurons = report.summaries.map { Double($0.neurons) }
        axes.plot(neurons, report.summaries.map(\.meanRegions), color: .black, width: 0, marker: .circle,
                  label: "mean")
        let ends = [neurons.min()!, neurons.max()!]
        axes.plot(ends, ends.map { exp(fit.intercept) * pow($0, fit.slope) }, color: Color.tab10[3], width: 1.5,
                  dashed: true, label: String(cFormat: "fit: slope %.2f", fit.slope))
        axes.xTickValues = neurons
        axes.xLabel = "neurons"
        axes.yLabel = noun
        axes.title = noun.prefix(1).uppercased() + noun.dropFirst() + " against neurons"
            + (report.initialisation == "weights" ? "" : " (at initialisation)")
        axes.legendLocation = .best
        return figure
    }
}
