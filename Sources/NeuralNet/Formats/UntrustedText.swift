/// A name read from a file (a tensor, node, operator, key or location), quoted for a message: in single quotes,
/// with control characters, quotes and backslashes escaped.
///
/// Every reader prints names from files through this, so a file cannot put escape sequences on the user's terminal
/// (`\u{1B}]0;…\u{07}` retitling the window, `\u{1B}[2J` clearing it) or hide text behind bidirectional overrides.
/// Printable text, non-ASCII letters included, is kept as it is; very long names are shortened.
public func quoted(_ name: String, maximumLength: Int = 200) -> String {
    var out = "'"
    var count = 0
    for scalar in name.unicodeScalars {
        if count == maximumLength {
            out += "…"
            break
        }
        count += 1
        switch scalar {
        case "\\": out += "\\\\"
        case "'": out += "\\'"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if isUnsafeOnATerminal(scalar) {
                out += scalar.value <= 0xFF ? "\\x" + hex(scalar.value, digits: 2) : "\\u{" + hex(scalar.value, digits: 4) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "'"
}

/// C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text (bidirectional
/// embeddings, overrides and isolates, zero-width characters, the byte order mark).
private func isUnsafeOnATerminal(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F: return true
    case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF: return true
    default: return false
    }
}

private func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

/// An identifier read from a file (an operator type such as `Conv`) as it is when it is plain — ASCII letters,
/// digits and underscores, at most 64 — else ``quoted(_:maximumLength:)``.
public func plainOrQuoted(_ identifier: String) -> String {
    let plain = !identifier.isEmpty && identifier.utf8.count <= 64
        && identifier.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic)
            || ("0"..."9").contains($0) }
    return plain ? identifier : quoted(identifier)
}
