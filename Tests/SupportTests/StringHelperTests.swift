import Foundation
import Testing
@testable import Support

/// Support's string helpers do what the Foundation methods they replace do (Foundation is the oracle here).
@Suite struct StringHelperTests {
    static let samples = ["", " ", "\t", "abc", "  abc  ", "\tabc\t", "a b", " a b ", "\n abc \n", "\r\nabc\r\n",
                          "\u{A0}abc\u{3000}", "\u{2028}abc\u{2029}", "\u{85}abc\u{85}", " \u{301}abc", "é ", " \n ",
                          "x\u{B}", "\u{C}y", "  1.5, 2 ", "Z\u{200B}", "\u{FEFF}q", "ünï cödé  ", "\u{1F600} "]

    @Test func trimmingAsFoundation() {
        for text in Self.samples {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces),
                    "\(Array(text.unicodeScalars))")
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "\(Array(text.unicodeScalars))")
            let sub = ("<" + text + ">").dropFirst().dropLast()
            #expect(sub.trimmingWhitespace() == sub.trimmingCharacters(in: .whitespaces))
        }
    }

    @Test func lastRangeAsBackwardsSearch() {
        let cases = [("a.npz:b.npz:c", ".npz:"), ("x.npz", ".npz:"), (".tmp-12.tmp-34", ".tmp-"), ("", ".tmp-"),
                     (".tmp-", ".tmp-"), ("aaaa", "aa"), ("héllo.npz:é", ".npz:"), ("abc", "abcd")]
        for (text, target) in cases {
            let ours = text.lastRange(of: target)
            let foundation = text.range(of: target, options: .backwards)
            #expect(ours == foundation, "\(text) / \(target)")
            if let ours { #expect(text[ours] == target) }
        }
        #expect("abc".lastRange(of: "") == nil)
    }

    @Test func paddingAsFoundation() {
        for text in ["", "a", "lenet5", "exactly8", "longer than the width", "dense-256"] {
            for length in [0, 1, 8, 16] {
                let foundation = text.padding(toLength: length, withPad: " ", startingAt: 0)
                #expect(text.paddedOrCut(toLength: length) == foundation)
            }
        }
    }
}

extension StringHelperTests {
    @Test func parentPathAsNSString() {
        for path in ["/a/b/runs", "runs", "/runs", "/", "", "a/b/", "a/b//", "out/runs", "./runs", "../x/y", "//a",
                     "a//b", "/a/b/c/"] {
            #expect(path.deletingLastPathComponent == (path as NSString).deletingLastPathComponent, "\(path)")
        }
    }
}

extension StringHelperTests {
    /// Every scalar of the Basic Multilingual Plane, alone and around a letter: trimmed exactly when Foundation
    /// trims it.
    @Test func everyBMPScalarTrimmedAsFoundation() {
        for value in UInt32(0)...0xFFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar) + "a" + String(scalar)
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces),
                    "U+\(String(value, radix: 16))")
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines),
                    "U+\(String(value, radix: 16))")
        }
    }
}
