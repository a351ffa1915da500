import FoundationEssentials

/// A NumPy array read from a `.npy` file: its shape and its elements, as numbers or as integers.
public struct NumpyArray: Equatable, Sendable {
    /// The element types read (what `np.save` writes for float32, float64, uint8, int64 and int32 arrays).
    public enum DataType: String, Equatable, Sendable {
        case float32 = "<f4", float64 = "<f8", uint8 = "|u1", int64 = "<i8", int32 = "<i4"

        /// Bytes per element.
        public var size: Int {
            switch self {
            case .uint8: return 1
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            }
        }

        /// Whether the elements are integers.
        public var isInteger: Bool { self == .uint8 || self == .int64 || self == .int32 }
    }

    /// The elements in C order: floating-point arrays as `Double`, integer arrays as `Int` (exactly).
    public enum Elements: Equatable, Sendable {
        case floating([Double])
        case integer([Int])
    }

    /// The shape, e.g. `[360, 64]`; `[]` for a scalar.
    public var shape: [Int]
    /// The element type as stored.
    public var dataType: DataType
    /// The elements in C order.
    public var elements: Elements

    /// An array; `elements` must hold as many values as `shape` says.
    public init(shape: [Int], dataType: DataType, elements: Elements) {
        self.shape = shape
        self.dataType = dataType
        self.elements = elements
    }

    /// Number of elements.
    public var count: Int {
        switch elements {
        case .floating(let v): return v.count
        case .integer(let v): return v.count
        }
    }

    /// Every element as a `Double` (integers above 2⁵³ lose precision).
    public var doubles: [Double] {
        switch elements {
        case .floating(let v): return v
        case .integer(let v): return v.map(Double.init)
        }
    }

    /// The elements as integers, or nil for a floating-point array.
    public var integers: [Int]? {
        if case .integer(let v) = elements { return v }
        return nil
    }
}

/// A `.npy` file or buffer that cannot be read; the message names it and says what is wrong.
public struct NumpyError: Error, CustomStringConvertible, Equatable {
    /// The file's path or name as given.
    public var name: String
    /// What is wrong, in words a user can act on.
    public var problem: String

    public init(name: String, problem: String) {
        self.name = name
        self.problem = problem
    }

    public var description: String { "\(name): \(problem)" }
}

/// NumPy's `.npy` format, as `np.save` writes it: the magic `\x93NUMPY`, a version (1.0, 2.0 or 3.0), a header
/// length (2 bytes little-endian in 1.0, 4 bytes after), a Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (360, 64), }` padded with spaces and a newline, then the
/// raw elements in C order.
///
/// The reader is strict and bounded: the header is at most ``maximumHeaderLength`` bytes, every size is computed
/// with overflow checks, and the data must be exactly `count × element size` bytes, so an array never costs more
/// than 8 times its file in memory.
public enum Numpy {
    /// NumPy's own default limit (`max_header_size`) for reading headers.
    public static let maximumHeaderLength = 10_000

    private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// Reads the array in the file at `path`: the header, then the data in pieces converted as they are read, so
    /// memory stays at the array's own size (8 bytes an element) plus one piece, whatever the file's size.
    public static func read(path: String) throws -> NumpyArray {
        let file: ReadOnlyFile
        do { file = try ReadOnlyFile(path: path) } catch let error as FileReadError {
            throw NumpyError(name: path, problem: error.problem)
        }
        do {
            return try parse(from: file, name: path)
        } catch let error as FileReadError {
            throw NumpyError(name: path, problem: error.problem)
        }
    }

    /// Parses the bytes of a `.npy` file. A pure function of `bytes`: no file I/O, and any input gives an array
    /// or a ``NumpyError``, never a trap. `name` only labels the messages.
    public static func parse(_ bytes: Data, name: String) throws -> NumpyArray {
        try parse(from: bytes, name: name)
    }

    /// Bytes of data converted per read: large enough that a read's overhead vanishes, small beside any array
    /// worth streaming.
    static let pieceSize = 1 << 20

    static func parse(from source: some ByteSource, name: String) throws -> NumpyArray {
        func fail(_ problem: String) -> NumpyError { NumpyError(name: name, problem: problem) }
        let size = source.count
        guard size >= 10 else { throw fail("truncated: \(size) bytes, not a .npy file") }
        let preamble = try source.bytes(0..<min(12, size))
        guard preamble.prefix(6).elementsEqual(magic) else { throw fail("not a .npy file (bad magic bytes)") }
        let major = preamble[6], minor = preamble[7]
        let headerLength: Int, headerStart: Int
        switch (major, minor) {
        case (1, 0):
            headerLength = Int(preamble[8]) | Int(preamble[9]) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard size >= 12 else { throw fail("truncated: \(size) bytes, shorter than its preamble") }
            headerLength = Int(preamble[8]) | Int(preamble[9]) << 8 | Int(preamble[10]) << 16 | Int(preamble[11]) << 24
            headerStart = 12
        default:
            throw fail("unsupported .npy version \(major).\(minor) (1.0, 2.0 and 3.0 are read)")
        }
        guard headerLength <= maximumHeaderLength else {
            throw fail("header of \(headerLength) bytes is longer than the \(maximumHeaderLength) allowed")
        }
        guard headerLength <= size - headerStart else {
            throw fail("truncated: the header needs \(headerLength) bytes, \(size - headerStart) follow")
        }
        let headerBytes = try source.bytes(headerStart..<(headerStart + headerLength))
        // Versions 1 and 2 are Latin-1 (in practice ASCII), 3 is UTF-8; the dict itself is ASCII either way.
        guard headerBytes.allSatisfy({ $0 < 0x80 }) else { throw fail("header is not ASCII") }
        let header = try parseHeader(headerBytes, fail: fail)
        let dataStart = headerStart + headerLength
        guard let count = Size.product(header.shape) else { throw fail("shape \(header.shape) is too large") }
        let elementSize = header.dataType.size
        guard let byteCount = Size.product(count, elementSize) else {
            throw fail("shape \(header.shape) is too large")
        }
        let available = size - dataStart
        guard byteCount == available else {
            throw fail(byteCount > available
                ? "truncated: shape \(header.shape) of \(header.dataType.rawValue) needs \(byteCount) bytes "
                    + "of data, \(available) follow"
                : "\(available - byteCount) bytes after the data of shape \(header.shape)")
        }
        // Refuse before allocating: every element becomes 8 bytes (a Double or an Int).
        let budget = Int(min(ProcessInfo.processInfo.physicalMemory / 2, UInt64(Int.max)))
        guard let memory = Size.product(count, 8), memory <= budget else {
            throw fail("holds \(count) elements, which need \(count / (1 << 27)) GiB as 8-byte numbers; this "
                + "machine allows \(budget >> 30) GiB (half its memory)")
        }
        /// Converts the data piece by piece: `convert(piece, firstElement)` for each piece of whole elements.
        func forEachPiece(_ convert: (UnsafeRawBufferPointer, Int) -> Void) throws {
            let perPiece = max(1, pieceSize / elementSize)
            var first = 0
            while first < count {
                let n = min(perPiece, count - first)
                let piece = try source.bytes((dataStart + first * elementSize)..<(dataStart + (first + n) * elementSize))
                piece.withUnsafeBytes { convert($0, first) }
                first += n
            }
        }
        /// The elements, each converted by `element(piece, k)` from the k-th element of a piece.
        func converted<T: Numeric>(_ element: (UnsafeRawBufferPointer, Int) -> T) throws -> [T] {
            var values = [T](repeating: 0, count: count)
            try values.withUnsafeMutableBufferPointer { out in
                try forEachPiece { piece, first in
                    for k in 0..<(piece.count / elementSize) { out[first + k] = element(piece, k) }
                }
            }
            return values
        }
        let elements: NumpyArray.Elements
        switch header.dataType {
        case .float32:
            elements = .floating(try converted { body, k in
                Double(Float(bitPattern: UInt32(littleEndian: body.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))))
            })
        case .float64:
            elements = .floating(try converted { body, k in
                Double(bitPattern: UInt64(littleEndian: body.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self)))
            })
        case .uint8:
            elements = .integer(try converted { body, k in Int(body[k]) })
        case .int32:
            elements = .integer(try converted { body, k in
                Int(Int32(littleEndian: body.loadUnaligned(fromByteOffset: 4 * k, as: Int32.self)))
            })
        case .int64:
            elements = .integer(try converted { body, k in
                Int(Int64(littleEndian: body.loadUnaligned(fromByteOffset: 8 * k, as: Int64.self)))
            })
        }
        return NumpyArray(shape: header.shape, dataType: header.dataType, elements: elements)
    }

    // MARK: Writing

    /// A `.npy` file (version 1.0) holding `values` as float64 with the given shape.
    public static func encode(doubles values: [Double], shape: [Int]) -> Data {
        precondition(Size.product(shape) == values.count, "shape \(shape) does not hold \(values.count) values")
        var data = preamble(descr: NumpyArray.DataType.float64.rawValue, shape: shape)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// A `.npy` file (version 1.0) holding `values` as int64 with the given shape.
    public static func encode(integers values: [Int], shape: [Int]) -> Data {
        precondition(Size.product(shape) == values.count, "shape \(shape) does not hold \(values.count) values")
        var data = preamble(descr: NumpyArray.DataType.int64.rawValue, shape: shape)
        for v in values { withUnsafeBytes(of: Int64(v).littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// Magic, version 1.0, header length and the header padded (as NumPy does) so the data start at a multiple
    /// of 64 bytes.
    private static func preamble(descr: String, shape: [Int]) -> Data {
        let tuple = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic + [1, 0])
        let length = header.utf8.count
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        return data
    }

    // MARK: The header dict

    private struct Header {
        var dataType: NumpyArray.DataType
        var shape: [Int]
    }

    /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (keys in any order, each once).
    private static func parseHeader(_ text: [UInt8], fail: (String) -> NumpyError) throws -> Header {
        var scanner = HeaderScanner(bytes: text)
        var descr: String?, fortran: Bool?, shape: [Int]?
        try scanner.expect(UInt8(ascii: "{"), fail: fail)
        while true {
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: "}")) { break }
            let key = try scanner.string(fail: fail)
            scanner.skipSpace()
            try scanner.expect(UInt8(ascii: ":"), fail: fail)
            scanner.skipSpace()
            switch key {
            case "descr" where descr == nil: descr = try scanner.string(fail: fail)
            case "fortran_order" where fortran == nil: fortran = try scanner.boolean(fail: fail)
            case "shape" where shape == nil: shape = try scanner.tuple(fail: fail)
            default: throw fail("header has an unexpected or repeated key \(quoted(key))")
            }
            scanner.skipSpace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            try scanner.expect(UInt8(ascii: "}"), fail: fail)
            break
        }
        scanner.skipSpace()
        guard scanner.atEnd else { throw fail("header has text after its dict") }
        guard let descr, let fortran, let shape else { throw fail("header lacks descr, fortran_order or shape") }
        guard !fortran else { throw fail("the array is in Fortran order; save it in C order (np.ascontiguousarray)") }
        let normalised = descr == "<u1" ? "|u1" : descr
        guard let dataType = NumpyArray.DataType(rawValue: normalised) else {
            throw fail("dtype \(quoted(descr)) is not supported (float32 <f4, float64 <f8, uint8 |u1, int64 <i8, int32 <i4)")
        }
        return Header(dataType: dataType, shape: shape)
    }

    /// Reads the tokens of a `.npy` header: quoted strings, True/False, tuples of non-negative integers.
    private struct HeaderScanner {
        var bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        mutating func expect(_ byte: UInt8, fail: (String) -> NumpyError) throws {
            guard take(byte) else { throw fail("malformed header: expected '\(Character(Unicode.Scalar(byte)))'") }
        }

        mutating func string(fail: (String) -> NumpyError) throws -> String {
            guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
                throw fail("malformed header: expected a quoted string")
            }
            let quote = bytes[position]
            position += 1
            let start = position
            while position < bytes.count, bytes[position] != quote {
                guard bytes[position] != 0x5C else { throw fail("malformed header: escapes are not expected") }
                position += 1
            }
            guard position < bytes.count else { throw fail("malformed header: unterminated string") }
            defer { position += 1 }
            return String(decoding: bytes[start..<position], as: UTF8.self)
        }

        mutating func boolean(fail: (String) -> NumpyError) throws -> Bool {
            for (word, value) in [("True", true), ("False", false)] where bytes[position...].starts(with: word.utf8) {
                position += word.utf8.count
                return value
            }
            throw fail("malformed header: fortran_order must be True or False")
        }

        mutating func tuple(fail: (String) -> NumpyError) throws -> [Int] {
            try expect(UInt8(ascii: "("), fail: fail)
            var dims: [Int] = []
            while true {
                skipSpace()
                if take(UInt8(ascii: ")")) { return dims }
                let start = position
                while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
                guard position > start, position - start <= 18,
                      let d = Int(String(decoding: bytes[start..<position], as: UTF8.self)) else {
                    throw fail("malformed header: shape must be a tuple of non-negative integers")
                }
                guard dims.count < 64 else { throw fail("shape has more than 64 dimensions") }
                dims.append(d)
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                try expect(UInt8(ascii: ")"), fail: fail)
                return dims
            }
        }
    }
}
