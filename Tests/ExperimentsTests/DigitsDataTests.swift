import Foundation
import Testing
@testable import Experiments
import LinearAlgebra

/// The digits compiled into the binary (DigitsBundledFiles.swift) are the committed .npy files, byte for byte, and
/// load as the 1 437 + 360 images of scikit-learn's split.
@Suite struct DigitsDataTests {
    static let dataFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Experiments/Digits/Data").standardized.path

    @Test(arguments: ["digits_train_x", "digits_train_y", "digits_test_x", "digits_test_y"])
    func bundledBytesAreTheFile(name: String) throws {
        let file = try #require(FileManager.default.contents(atPath: Self.dataFolder + "/" + name + ".npy"))
        #expect(try DigitsData.bundledFile(name) == file)
    }

    @Test func loadsTheSplit() throws {
        let (train, test) = try DigitsData.load()
        #expect(train.samples.rows == 1437 && test.samples.rows == 360)
        #expect(train.samples.columns == 64 && test.samples.columns == 64)
        #expect(Set(train.labels) == Set(0..<10) && Set(test.labels) == Set(0..<10))
        #expect(train.samples.storage.allSatisfy { (0...1).contains($0) })
        #expect(train.samples.storage.max() == 1)
    }
}
