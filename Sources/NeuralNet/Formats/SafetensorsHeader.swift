/// The JSON header of a safetensors file, parsed strictly and in bounded memory.
///
/// A weights file is untrusted input. This parser reads exactly what the safetensors specification allows —
/// an object mapping tensor names to `{"dtype", "shape", "data_offsets"}`, plus an optional `__metadata__` object
/// of strings — and builds no general JSON tree: a header costs a few times its own size in memory at most,
/// however it is shaped. Everything the reference loader rejects is rejected here too: duplicate names,
/// fractional or boolean numbers, negative or overflowing sizes, byte ranges that overlap, leave gaps or do not
/// cover the data buffer exactly.
struct SafetensorsHeader {
    /// The element types of the format. Only the floating-point ones can be read as weights.
    enum DType: String, CaseIterable {
        case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
        case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8"
        case u64 = "U64", u32 = "U32", u16 = "U16", u8 = "U8", bool = "BOOL"
        case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"

        /// Bytes per element.
        var size: Int {
            switch self {
            case .f64, .i64, .u64: return 8
            case .f32, .i32, .u32: return 4
            case .f16, .bf16, .i16, .u16: return 2
            case .i8, .u8, .bool, .f8e4m3, .f8e5m2: return 1
            }
        }

        /// Whether regionplot reads this type as weights (widened to `Double`).
        var isReadable: Bool { [.f64, .f32, .f16, .bf16].contains(self) }
    }

    /// One tensor's entry: where its bytes are in the data buffer (after the header).
    struct Entry: Equatable {
        var name: String
        var dtype: DType
        var shape: [Int]
        /// Number of elements (the product of `shape`; 1 for a scalar).
        var count: Int
        /// Byte range in the data buffer.
        var begin: Int, end: Int
    }

    /// The tensors in the order the header lists them.
    var entries: [Entry]
    /// The `__metadata__` object's strings (empty when the header has none).
    var metadata: [String: String]

    /// Shapes of more dimensions are refused as they are read (PyTorch itself stops at 64), so a header of
    /// millions of small numbers costs no more memory than its own bytes.
    static let maximumRank = 64

    /// Nesting deeper than this is refused (the format needs 3 levels); it keeps recursion off the stack's edge.
    static let maximumDepth = 64

    /// `__metadata__` may hold at most this many keys. Real files hold one (`format`) or a few dozen (training
    /// tools' notes); the bound keeps a header of millions of tiny keys from costing many times its own size.
    static let maximumMetadataKeys = 4096

    /// Parses `bytes` (the header, without its 8-byte length) for a data buffer of `bufferLength` bytes.
    /// Throws a one-line description of the first problem.
    init(bytes: UnsafeRawBufferPointer, bufferLength: Int) throws(SafetensorsHeaderError) {
        var parser = Parser(bytes: bytes)
        (entries, metadata) = try parser.parseHeader()
        try Self.checkLayout(entries, bufferLength: bufferLength)
    }

    /// The byte ranges must tile the data buffer: sorted by start, each starts where the one before ended, the
    /// first at 0 and the last at the buffer's end — so no byte is read twice or lies unaccounted for.
    static func checkLayout(_ entries: [Entry], bufferLength: Int) throws(SafetensorsHeaderError) {
        var expected = 0
        for entry in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            if entry.begin != expected {
                if entry.begin < expected {
                    throw .init("tensor \(quoted(entry.name)): data_offsets [\(entry.begin), \(entry.end)] overlap another tensor's bytes")
                }
                throw .init("tensor \(quoted(entry.name)): data_offsets start at \(entry.begin), but the tensors before end at \(expected) (a gap)")
            }
            expected = entry.end
        }
        if expected != bufferLength {
            if expected > bufferLength {
                throw .init("truncated: the tensors need \(expected) bytes of data, the file has \(bufferLength)")
            }
            throw .init("the tensors cover \(expected) bytes of data, but the file has \(bufferLength) (trailing bytes)")
        }
    }

    /// A byte-level parser over the header; `position` only moves forward.
    private struct Parser {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func parseHeader() throws(SafetensorsHeaderError) -> ([Entry], [String: String]) {
            skipWhitespace()
            guard peek() == UInt8(ascii: "{") else { throw .init("header is not valid JSON: it must be an object, starting with '{'") }
            var entries: [Entry] = []
            var names = Set<String>()
            var metadata: [String: String]?
            try parseObject(depth: 1) { (parser: inout Parser, key: String) throws(SafetensorsHeaderError) in
                if key == "__metadata__" {
                    guard metadata == nil else { throw .init("header names __metadata__ twice") }
                    metadata = try parser.parseMetadata()
                    return
                }
                guard names.insert(key).inserted else { throw .init("header names tensor \(quoted(key)) twice") }
                entries.append(try parser.parseEntry(name: key))
            }
            skipWhitespace()
            guard position == bytes.count else { throw error("unexpected bytes after the header's object") }
            return (entries, metadata ?? [:])
        }

        /// `{"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}`, keys in any order, each exactly once.
        mutating func parseEntry(name: String) throws(SafetensorsHeaderError) -> Entry {
            guard peek() == UInt8(ascii: "{") else { throw .init("tensor \(quoted(name)): entry must be an object") }
            var dtypeName: String?, shape: [Int]?, offsets: [Int]?
            try parseObject(depth: 2) { (parser: inout Parser, key: String) throws(SafetensorsHeaderError) in
                switch key {
                case "dtype":
                    guard dtypeName == nil else { throw .init("tensor \(quoted(name)): dtype given twice") }
                    guard parser.peek() == UInt8(ascii: "\"") else { throw .init("tensor \(quoted(name)): dtype must be a string") }
                    dtypeName = try parser.parseString()
                case "shape":
                    guard shape == nil else { throw .init("tensor \(quoted(name)): shape given twice") }
                    shape = try parser.parseIntegerArray(what: "tensor \(quoted(name)): shape", maximumCount: SafetensorsHeader.maximumRank)
                case "data_offsets":
                    guard offsets == nil else { throw .init("tensor \(quoted(name)): data_offsets given twice") }
                    offsets = try parser.parseIntegerArray(what: "tensor \(quoted(name)): data_offsets", maximumCount: 2)
                default:
                    throw .init("tensor \(quoted(name)): unknown key \(quoted(key)) (an entry has dtype, shape and data_offsets)")
                }
            }
            guard let dtypeName, let shape, let offsets else {
                throw .init("tensor \(quoted(name)): entry needs dtype, shape and data_offsets")
            }
            guard let dtype = DType(rawValue: dtypeName) else {
                throw .init("tensor \(quoted(name)) has unknown dtype \(quoted(dtypeName))")
            }
            guard offsets.count == 2 else { throw .init("tensor \(quoted(name)): data_offsets must be two integers [begin, end]") }
            var count = 1
            for dimension in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard !overflow else { throw .init("tensor \(quoted(name)): shape \(shape) has more elements than can be addressed") }
                count = product
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin <= end else { throw .init("tensor \(quoted(name)): data_offsets [\(begin), \(end)] end before they begin") }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: dtype.size)
            guard !overflow, bytes == end - begin else {
                throw .init("tensor \(quoted(name)): shape \(shape) of \(dtype.rawValue) needs \(overflow ? "more" : String(bytes)) bytes, "
                    + "data_offsets give \(end - begin)")
            }
            return Entry(name: name, dtype: dtype, shape: shape, count: count, begin: begin, end: end)
        }

        /// `__metadata__`: an object of at most ``SafetensorsHeader/maximumMetadataKeys`` strings.
        mutating func parseMetadata() throws(SafetensorsHeaderError) -> [String: String] {
            guard peek() == UInt8(ascii: "{") else { throw .init("__metadata__ must be an object of strings") }
            var values: [String: String] = [:]
            try parseObject(depth: 2) { (parser: inout Parser, key: String) throws(SafetensorsHeaderError) in
                guard values[key] == nil else { throw .init("__metadata__ names \(quoted(key)) twice") }
                guard values.count < SafetensorsHeader.maximumMetadataKeys else {
                    throw .init("__metadata__ holds more than \(SafetensorsHeader.maximumMetadataKeys) keys")
                }
                guard parser.peek() == UInt8(ascii: "\"") else {
                    throw .init("__metadata__ value of \(quoted(key)) must be a string")
                }
                values[key] = try parser.parseString()
            }
            return values
        }

        /// Walks `{ "key": value, ... }`, handing each key to `member`, which must consume the value.
        mutating func parseObject(
            depth: Int, _ member: (inout Parser, String) throws(SafetensorsHeaderError) -> Void
        ) throws(SafetensorsHeaderError) {
            guard depth <= SafetensorsHeader.maximumDepth else { throw error("nested too deeply") }
            try expect(UInt8(ascii: "{"))
            skipWhitespace()
            if peek() == UInt8(ascii: "}") { position += 1; return }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
                let key = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                try member(&self, key)
                skipWhitespace()
                guard let next = peek() else { throw error("the object is not closed") }
                position += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
            }
        }

        /// `[1, 2, 3]` of at most `maximumCount` non-negative integers written without fraction, exponent or sign.
        mutating func parseIntegerArray(what: String, maximumCount: Int) throws(SafetensorsHeaderError) -> [Int] {
            guard peek() == UInt8(ascii: "[") else { throw .init("\(what) must be an array of non-negative integers") }
            position += 1
            var values: [Int] = []
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { position += 1; return values }
            while true {
                skipWhitespace()
                guard values.count < maximumCount else { throw .init("\(what) has more than \(maximumCount) entries") }
                values.append(try parseNonNegativeInteger(what: what))
                skipWhitespace()
                guard let next = peek() else { throw error("the array is not closed") }
                position += 1
                if next == UInt8(ascii: "]") { return values }
                guard next == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            }
        }

        mutating func parseNonNegativeInteger(what: String) throws(SafetensorsHeaderError) -> Int {
            let start = position
            var value = 0
            while let byte = peek(), byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw .init("\(what) holds a number too large for this machine") }
                value = sum
                position += 1
            }
            let digits = position - start
            let next = peek()
            let isNumberCharacter = next.map { ".eE-+".utf8.contains($0) } ?? false
            guard digits > 0, !isNumberCharacter else {
                throw .init("\(what) must hold non-negative integers (no signs, fractions, exponents, booleans or null)")
            }
            guard digits == 1 || bytes[start] != UInt8(ascii: "0") else { throw error("a number has a leading zero") }
            return value
        }

        /// A JSON string with its escapes, as valid UTF-8.
        mutating func parseString() throws(SafetensorsHeaderError) -> String {
            try expect(UInt8(ascii: "\""))
            var utf8: [UInt8] = []
            while true {
                guard let byte = peek() else { throw error("a string is not closed") }
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: utf8, as: UTF8.self) else { throw error("a string is not valid UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    guard let escape = peek() else { throw error("a string is not closed") }
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"): utf8 += try parseUnicodeEscape()
                    default: throw error("a string has an invalid escape")
                    }
                case 0..<0x20: throw error("a string holds a control character")
                default: utf8.append(byte)
                }
            }
        }

        /// The code point of `\uXXXX` (after the `u`), joining a surrogate pair, as UTF-8.
        mutating func parseUnicodeEscape() throws(SafetensorsHeaderError) -> [UInt8] {
            var scalar = try parseHex4()
            if (0xD800..<0xDC00).contains(scalar) {
                guard peek() == UInt8(ascii: "\\") else { throw error("a string has an unpaired surrogate") }
                position += 1
                guard peek() == UInt8(ascii: "u") else { throw error("a string has an unpaired surrogate") }
                position += 1
                let low = try parseHex4()
                guard (0xDC00..<0xE000).contains(low) else { throw error("a string has an unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("a string has an unpaired surrogate") }
            return Array(String(Character(unicode)).utf8)
        }

        mutating func parseHex4() throws(SafetensorsHeaderError) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek(), let digit = hexDigit(byte) else { throw error("a string has an invalid \\u escape") }
                value = value << 4 | digit
                position += 1
            }
            return value
        }

        func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
            default: return nil
            }
        }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func expect(_ byte: UInt8) throws(SafetensorsHeaderError) {
            guard peek() == byte else { throw error("expected '\(Character(Unicode.Scalar(byte)))'") }
            position += 1
        }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        func error(_ what: String) -> SafetensorsHeaderError {
            SafetensorsHeaderError("header is not valid JSON: \(what) at byte \(position)")
        }
    }
}

/// What is wrong with a safetensors header, in one line.
struct SafetensorsHeaderError: Error {
    var problem: String
    init(_ problem: String) { self.problem = problem }
}
