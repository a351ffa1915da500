import LinearAlgebra

/// Sattelberg et al.'s comparison of two classifiers through their local affine maps: for each class c, a least
/// squares fit with intercept from the source network's maps `[J_c(x), b_c(x)]` to the target's over the training
/// samples, scored on the test samples, and the test samples classified with the predicted maps.
public struct ClassWiseRegression: Sendable {
    /// R² of each class's fit on the test samples, scikit-learn's `score` (uniform average over the target columns).
    public var perClassR2: [Double]
    /// The transferred classifier's class for each test sample: argmax_c of `Ĵ_c·x + b̂_c` (or `Ĵ_c·x` without
    /// offsets), the first on ties.
    public var predictions: [Int]
    /// The share of test samples whose transferred prediction equals the label.
    public var transferredAccuracy: Double

    /// The mean of ``perClassR2`` over the classes.
    public var meanR2: Double { perClassR2.reduce(0, +) / Double(max(perClassR2.count, 1)) }

    /// Scores already computed (the streamed regressions'): the transferred accuracy is read off `predictions`
    /// and `labels`.
    init(perClassR2: [Double], predictions: [Int], labels: [Int]) {
        self.perClassR2 = perClassR2
        self.predictions = predictions
        transferredAccuracy = Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }

    /// Fits and scores the regressions `source → target`.
    ///
    /// - Parameters:
    ///   - sourceTrain, targetTrain: both networks' maps on the same training samples.
    ///   - sourceTest, targetTest: both networks' maps on the same test samples.
    ///   - testSamples: the test samples (N × D), to classify with the predicted maps.
    ///   - testLabels: their classes.
    ///   - includingOffset: regress `[J_c, b_c]` on `[J_c, b_c]` (true) or `J_c` on `J_c` (false).
    ///   - rcond: singular values below `rcond · σ_max` of the centred design count as zero. Jacobians of a net whose
    ///     first layer has fewer units than inputs span only that layer's row space, so the design is rank
    ///     deficient by construction; a cut-off far above rounding keeps the fit to the minimum-norm solution on
    ///     that space instead of amplifying rounding noise.
    public init(from sourceTrain: LocalAffineMaps, to targetTrain: LocalAffineMaps,
                sourceTest: LocalAffineMaps, targetTest: LocalAffineMaps,
                testSamples: Matrix, testLabels: [Int], includingOffset: Bool = true, rcond: Double = 1e-10) throws {
        let classes = sourceTrain.outputs, d = sourceTrain.inputs, n = testSamples.rows
        precondition(targetTrain.outputs == classes && sourceTest.outputs == classes && targetTest.outputs == classes,
                     "both networks need the same number of outputs")
        precondition(testLabels.count == n && sourceTest.count == n && targetTest.count == n, "test sizes differ")
        var r2: [Double] = []
        var scores = Matrix(rows: n, columns: classes)
        for cls in 0..<classes {
            let model = try LinearRegressionModel(
                fitting: sourceTrain.classRows(cls, includingOffset: includingOffset),
                targetTrain.classRows(cls, includingOffset: includingOffset), rcond: rcond)
            let predicted = model.predict(sourceTest.classRows(cls, includingOffset: includingOffset))
            r2.append(coefficientOfDetermination(truth: targetTest.classRows(cls, includingOffset: includingOffset),
                                                 prediction: predicted))
            for i in 0..<n {
                var s = includingOffset ? predicted[i, d] : 0
                for k in 0..<d { s += predicted[i, k] * testSamples[i, k] }
                scores[i, cls] = s
            }
        }
        perClassR2 = r2
        predictions = (0..<n).map { argmax(scores.row($0)) }
        transferredAccuracy = Double(zip(predictions, testLabels).filter { $0 == $1 }.count) / Double(max(n, 1))
    }
}

