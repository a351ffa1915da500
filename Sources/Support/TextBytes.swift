/// Text built as UTF-8 bytes. The big tables (regions.csv and regions.json) are formatted a piece at a time into
/// these and written out as each piece is done (`ChunkedText`), never held whole as a `String` or a tree.
///
/// The JSON and CSV spellings here are those of `JSONValue.serialized` and `CSVTable.text`, and tests hold them
/// to those (the reference forms) byte for byte.
public struct TextBytes: Sendable, TextOutputStream {
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public var count: Int { bytes.count }

    /// Appends `text` as UTF-8.
    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends one ASCII byte.
    public mutating func append(byte: UInt8) { bytes.append(byte) }

    /// Appends `value` in decimal.
    public mutating func append(_ value: Int) {
        if value >= 0 && value < 10 { bytes.append(UInt8(ascii: "0") + UInt8(value)); return }
        append(String(value))
    }

    /// Appends `value` in Swift's shortest round-trip form (`0.1`, `1e-07`, `2.0`): what `"\(value)"` spells.
    public mutating func appendShortest(_ value: Double) { value.write(to: &self) }

    /// `TextOutputStream`: appends `string`.
    public mutating func write(_ string: String) { append(string) }

    /// `TextOutputStream`'s way in for ASCII: the standard library prints a Double from its own stack buffer
    /// through it, which spares a `String` (a heap allocation above 15 characters) per number.
    public mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: buffer) }

    /// Appends `count` spaces.
    public mutating func appendSpaces(_ count: Int) {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: count))
    }

    // MARK: JSON, as JSONValue.serialized writes it

    /// A number: the shortest round-trip form, `null` when non-finite (JSON has no spelling for NaN or ±∞).
    public mutating func appendJSON(_ value: Double) {
        if value.isFinite { appendShortest(value) } else { append("null") }
    }

    /// A string in quotes, with `"`, `\`, line breaks, tabs and other control characters escaped.
    public mutating func appendJSON(string: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": append("\\\"")
            case "\\": append("\\\\")
            case "\n": append("\\n")
            case "\r": append("\\r")
            case "\t": append("\\t")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else if scalar.isASCII {
                    bytes.append(UInt8(scalar.value))
                } else {
                    bytes.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// An array of numbers on one line: `[1.0, 2.5]`, or `[]`.
    public mutating func appendJSONNumbers<C: Collection<Double>>(_ values: C) {
        bytes.append(UInt8(ascii: "["))
        var first = true
        for value in values {
            if !first { append(", ") }
            first = false
            appendJSON(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// An array of `count` arrays of numbers (`row(i)` the i-th) as the value of a key at nesting `level` (the
    /// object holding the key is at `level - 1`): one inner array per line, or `[]` when there are none.
    public mutating func appendJSONRows<C: Collection<Double>>(count: Int, level: Int, _ row: (Int) -> C) {
        guard count > 0 else { append("[]"); return }
        append("[\n")
        for i in 0..<count {
            if i > 0 { append(",\n") }
            appendSpaces(2 * (level + 1))
            appendJSONNumbers(row(i))
        }
        bytes.append(UInt8(ascii: "\n"))
        appendSpaces(2 * level)
        bytes.append(UInt8(ascii: "]"))
    }

    /// `"key": ` at the start of an object's member at nesting `level` (the object's own level), after the
    /// separator from the previous member when `first` is false.
    public mutating func appendJSONKey(_ key: String, level: Int, first: Bool = false) {
        append(first ? "\n" : ",\n")
        appendSpaces(2 * (level + 1))
        appendJSON(string: key)
        append(": ")
    }

    // MARK: CSV, as CSVTable writes it

    /// One cell: numbers in the shortest round-trip form (`nan`, `inf`, `-inf` when non-finite), text quoted when
    /// it holds a comma, quote or line break, a missing value empty.
    public mutating func appendCSV(_ value: CSVTable.Value) {
        switch value {
        case .int(let i): append(i)
        case .double(let d): appendCSV(d)
        case .text(let s): append(CSVTable.quoted(s))
        case .missing: break
        }
    }

    /// A number cell (`nan`, `inf`, `-inf` when non-finite).
    public mutating func appendCSV(_ value: Double) {
        if value.isNaN { append("nan") } else if value.isInfinite { append(value > 0 ? "inf" : "-inf") } else {
            appendShortest(value)
        }
    }
}

/// A text file made of pieces that are formatted independently — each a run of a big table's rows — so that it
/// is formatted on all cores and written as it is made, never whole in memory: the text is `piece(0)`,
/// `piece(1)`, …, `piece(count - 1)` one after another.
public struct ChunkedText: Sendable {
    /// The number of pieces (at least 1).
    public let count: Int
    /// Appends piece k to the bytes given.
    public let piece: @Sendable (_ k: Int, _ into: inout TextBytes) -> Void

    public init(count: Int, piece: @escaping @Sendable (_ k: Int, _ into: inout TextBytes) -> Void) {
        precondition(count >= 1, "a text of \(count) pieces")
        self.count = count
        self.piece = piece
    }

    /// The whole text as bytes (for small texts and tests).
    public var bytes: [UInt8] {
        var out = TextBytes()
        for k in 0..<count { piece(k, &out) }
        return out.bytes
    }

    /// The whole text (for small texts and tests).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
