import Support

/// `compare`'s (and `digits`') results as tables for pandas and NumPy, one row per test sample, class or k.
///
/// - samples.csv: `index, label, pred_a, pred_b, pred_a_to_b, pred_b_to_a, map_a, map_b, cluster_a, cluster_b`
///   (`pred_a_to_b`: the class of the transferred classifier a → b, the predicted maps of b from a's; `map_*`: the
///   sample's local affine map among the test samples' distinct maps; `cluster_*`: its nearest k-means centre at the
///   largest k fitted, empty when none was), and `label_name` when class names are given.
/// - classes.csv: per class, its test samples, the R² of both regressions with and without bias, each net's and
///   each transferred classifier's accuracy on its samples (empty for a class without test samples).
/// - clusters.csv: per k, the cluster-reduced accuracy of each net.
public enum CompareTables {
    public static func samples(_ result: CompareResult, classNames: [String]? = nil) -> CSVTable {
        let s = result.samples
        var columns = ["index", "label", "pred_a", "pred_b", "pred_a_to_b", "pred_b_to_a", "map_a", "map_b",
                       "cluster_a", "cluster_b"]
        if classNames != nil { columns.append("label_name") }
        var table = CSVTable(columns: columns)
        for i in s.labels.indices {
            var row: [CSVTable.Value] = [
                .int(i), .int(s.labels[i]), .int(s.predictionsA[i]), .int(s.predictionsB[i]),
                .int(s.transferredAToB[i]), .int(s.transferredBToA[i]), .int(s.mapIDsA[i]), .int(s.mapIDsB[i]),
                s.clustersA.map { .int($0[i]) } ?? .missing, s.clustersB.map { .int($0[i]) } ?? .missing,
            ]
            if let classNames { row.append(.text(classNames[s.labels[i]])) }
            table.append(row)
        }
        return table
    }

    public static func classes(_ result: CompareResult, classNames: [String]? = nil) -> CSVTable {
        let r = result.report, s = result.samples
        var table = CSVTable(columns: [
            "class", "name", "samples", "r2_a_to_b", "r2_b_to_a", "r2_a_to_b_without_bias", "r2_b_to_a_without_bias",
            "accuracy_a", "accuracy_b", "accuracy_a_to_b", "accuracy_b_to_a",
        ])
        for c in r.r2.aToB.perClass.indices {
            let members = s.labels.indices.filter { s.labels[$0] == c }
            func accuracy(_ predictions: [Int]) -> CSVTable.Value {
                guard !members.isEmpty else { return .missing }
                return .double(Double(members.filter { predictions[$0] == c }.count) / Double(members.count))
            }
            table.append([
                .int(c), .text(classNames?[c] ?? String(c)), .int(members.count),
                .double(r.r2.aToB.perClass[c]), .double(r.r2.bToA.perClass[c]),
                .double(r.withoutBias.r2.aToB.perClass[c]), .double(r.withoutBias.r2.bToA.perClass[c]),
                accuracy(s.predictionsA), accuracy(s.predictionsB), accuracy(s.transferredAToB),
                accuracy(s.transferredBToA),
            ])
        }
        return table
    }

    public static func clusters(_ result: CompareResult) -> CSVTable {
        var table = CSVTable(columns: ["k", "accuracy_a", "accuracy_b"])
        for (a, b) in zip(result.report.clusterAccuracy.a, result.report.clusterAccuracy.b) {
            table.append([.int(a.k), .double(a.accuracy), .double(b.accuracy)])
        }
        return table
    }
}
