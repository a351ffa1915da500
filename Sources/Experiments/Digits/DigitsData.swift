import FoundationEssentials
import LinearAlgebra
import NeuralNet

/// scikit-learn's 8×8 digits as they ship with regionplot (Digits/Data, written by scripts/make_digits_data.py):
/// 1 797 images of the digits 0–9 split 80/20, stratified, with scikit-learn's `random_state=0` (the split of the
/// shared examples), pixels scaled from 0…16 to [0, 1].
public enum DigitsData {
    /// Pixels per image (8 × 8, row-major).
    public static let inputSize = 64
    /// The digits 0–9.
    public static let classes = 10

    /// The training split (1 437 images) and the test split (360).
    public static func load() throws -> (train: LabelledSamples, test: LabelledSamples) {
        func split(_ name: String) throws -> LabelledSamples {
            let x = try Numpy.parse(try bundledFile("digits_\(name)_x"), name: "digits_\(name)_x.npy")
            let y = try Numpy.parse(try bundledFile("digits_\(name)_y"), name: "digits_\(name)_y.npy")
            guard x.shape.count == 2, x.shape[1] == inputSize, let labels = y.integers, labels.count == x.shape[0]
            else { throw CompareError("the bundled digits data (\(name)) are damaged") }
            return LabelledSamples(samples: Matrix(rows: x.shape[0], columns: inputSize,
                                                   storage: x.doubles.map { $0 / 16 }), labels: labels)
        }
        return (try split("train"), try split("test"))
    }

    /// The bytes of the bundled file `name` (`digits_train_x` …: Digits/Data/NAME.npy), compiled into the binary
    /// as base64 (DigitsBundledFiles.swift, scripts/embed_digits_data.py) so that no resource bundle is needed.
    static func bundledFile(_ name: String) throws -> Data {
        guard let text = DigitsBundledFiles.base64[name],
              let bytes = Data(base64Encoded: text.filter { !$0.isNewline })
        else { throw CompareError("the bundled digits data (\(name)) are damaged") }
        return bytes
    }
}
