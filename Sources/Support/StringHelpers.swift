/// The few string operations the sources used from Foundation, which the shipped modules do not import: each does
/// what its Foundation counterpart (named in its comment) does, and SupportTests.StringHelperTests holds them together.
extension StringProtocol {
    /// Without the leading and trailing spaces and tabs (`trimmingCharacters(in: .whitespaces)`: the Unicode space
    /// separators, category Zs, U+0009 and, as Foundation has it, the zero-width space U+200B).
    public func trimmingWhitespace() -> String { trimming(where: isWhitespace) }

    /// Without the leading and trailing spaces, tabs and line breaks (`trimmingCharacters(in:
    /// .whitespacesAndNewlines)`: the whitespace above, categories Zl and Zp, U+000A–U+000D and U+0085).
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming { isWhitespace($0) || isNewline($0) }
    }

    /// Padded with spaces at the end, or cut, to `length` characters (`padding(toLength: length, withPad: " ",
    /// startingAt: 0)`, which counts UTF-16 units: the same for the ASCII names of the tables it pads).
    public func paddedOrCut(toLength length: Int) -> String {
        let units = Array(utf16)
        if units.count >= length { return String(decoding: units[..<length], as: UTF16.self) }
        return String(self) + String(repeating: " ", count: length - units.count)
    }

    private func trimming(where shouldTrim: (Unicode.Scalar) -> Bool) -> String {
        let scalars = String(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !shouldTrim($0) }),
              let last = scalars.lastIndex(where: { !shouldTrim($0) }) else { return "" }
        return String(Substring(scalars[first...last]))
    }
}

extension String {
    /// The range of the last occurrence of `target` (`range(of: target, options: .backwards)`, for the plain ASCII
    /// markers the sources look for); nil when there is none or `target` is empty.
    public func lastRange(of target: String) -> Range<Index>? {
        let needle = Array(target.unicodeScalars)
        guard !needle.isEmpty else { return nil }
        let scalars = unicodeScalars
        var start = scalars.endIndex
        while start != scalars.startIndex {
            start = scalars.index(before: start)
            var position = start
            var matched = 0
            while matched < needle.count, position != scalars.endIndex, scalars[position] == needle[matched] {
                matched += 1
                position = scalars.index(after: position)
            }
            if matched == needle.count { return start..<position }
        }
        return nil
    }

    /// The path without its last component (`NSString.deletingLastPathComponent`): "/a/b/c" → "/a/b", "c" → "",
    /// "/c" → "/", trailing slashes ignored.
    public var deletingLastPathComponent: String {
        var path = Substring(self)
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        var parent = path[..<slash]
        while parent.hasSuffix("/") { parent.removeLast() }
        return parent.isEmpty ? "/" : String(parent)
    }
}

private func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
    scalar == "\t" || scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
}

private func isNewline(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x0A...0x0D, 0x85: return true
    default: return [.lineSeparator, .paragraphSeparator].contains(scalar.properties.generalCategory)
    }

}
