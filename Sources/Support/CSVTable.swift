import FoundationEssentials

/// A table written as CSV for pandas (`pd.read_csv`) and NumPy (`np.genfromtxt(..., names=True, delimiter=",")`):
/// a header row of column names, then one row per record. Numbers are written in Swift's shortest round-trip
/// form (`0.1`, `1e-07`), non-finite ones as `nan`, `inf`, `-inf` (both readers parse them), a missing value as an
/// empty cell; text is quoted when it holds a comma, quote or line break (RFC 4180).
public struct CSVTable: Sendable, Equatable {
    /// One cell.
    public enum Value: Sendable, Equatable {
        case int(Int)
        case double(Double)
        case text(String)
        case missing
    }

    public let columns: [String]
    public private(set) var rows: [[Value]] = []

    public init(columns: [String]) { self.columns = columns }

    /// Adds a row; it must have a value for every column.
    public mutating func append(_ row: [Value]) {
        precondition(row.count == columns.count, "a row of \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    /// The CSV text, with a final newline.
    public var text: String {
        var out = columns.map(Self.quoted).joined(separator: ",") + "\n"
        for row in rows {
            out += row.map(Self.cell).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    static func cell(_ value: Value) -> String {
        switch value {
        case .int(let i): return String(i)
        case .double(let d):
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            return "\(d)"
        case .text(let s): return quoted(s)
        case .missing: return ""
        }
    }

    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }
}

extension CSVTable.Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .text(value) }
}
