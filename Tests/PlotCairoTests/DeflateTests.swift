import CCairo
import Testing
import Experiments
import ExperimentFixtures
@testable import PlotCairo

/// `Deflate` against zlib: every stream inflates (zlib's `uncompress`, the oracle) to exactly its input, on inputs
/// chosen to reach every branch (empty and tiny inputs, runs across the 258-byte match limit, rows wider than the
/// window, incompressible bytes that must be stored, more tokens than a block holds); figures compress about as
/// well as zlib's level 3; the Huffman code lengths are complete, within their limit, and optimal where the limit
/// does not bind.
@Suite struct DeflateTests {
    /// `data` compressed by `Deflate` and inflated by zlib.
    static func roundTrip(_ data: [UInt8], rowLength: Int = 31,
                          pixelLength: Int = 3) -> (inflated: [UInt8]?, size: Int) {
        let stream = data.withUnsafeBufferPointer {
            Deflate.zlibStream($0, rowLength: rowLength, pixelLength: pixelLength)
        }
        var out = [UInt8](repeating: 0xA5, count: max(1, data.count))
        var length = uLong(out.count)
        let status = uncompress(&out, &length, stream, uLong(stream.count))
        guard status == Z_OK, Int(length) == data.count else { return (nil, stream.count) }
        return (Array(out[0..<data.count]), stream.count)
    }

    @Test(arguments: [0, 1, 2, 3, 4, 7, 8, 9, 15, 16, 17])
    func tinyInputsRoundTrip(_ count: Int) {
        var bytes = Xorshift(UInt64(count))
        for data in [[UInt8](repeating: 7, count: count), (0..<count).map { _ in bytes.byte() }] {
            #expect(Self.roundTrip(data).inflated == data)
        }
    }

    /// An empty buffer without an address (which Swift allows) gives the same stream as an empty array's.
    @Test func emptyBufferWithoutAnAddress() {
        let none = Deflate.zlibStream(UnsafeBufferPointer(start: nil, count: 0), rowLength: 4, pixelLength: 3)
        #expect(none == [UInt8]().withUnsafeBufferPointer { Deflate.zlibStream($0, rowLength: 4, pixelLength: 3) })
        #expect(Self.roundTrip([]).inflated == [])
    }

    /// Random sizes, row and pixel lengths (including none, and rows around the window) and contents (noise,
    /// small alphabets, runs, repeats at random distances up to just past the window): every stream inflates to
    /// its input and stays within the output bound. (A longer run of this, 4 500 inputs, found nothing.)
    @Test func randomInputsRoundTrip() {
        var rng = Xorshift(2026)
        func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.bits() % UInt64(n)) }
        for _ in 0..<40 {
            let n = [below(20), below(3000), below(150_000)][below(3)]
            let (rowLength, pixelLength) = ([below(10), below(3000), 32760 + below(20)][below(3)], below(9))
            var data = [UInt8](repeating: 0, count: n)
            switch below(4) {
            case 0: for k in 0..<n { data[k] = rng.byte() }
            case 1: let alphabet = 1 + below(4); for k in 0..<n { data[k] = UInt8(below(alphabet)) }
            case 2:
                var k = 0
                while k < n {
                    let (run, byte) = (1 + below([3, 300, 70_000][below(3)]), rng.byte())
                    for j in k..<min(n, k + run) { data[j] = byte }
                    k += run
                }
            default:
                for k in 0..<min(n, 64) { data[k] = rng.byte() }
                var k = min(n, 64)
                while k < n {
                    let (distance, length) = (1 + below(min(k, 33_000)), 1 + below(300))
                    for j in k..<min(n, k + length) { data[j] = data[j - distance] }
                    k += length
                    if k < n { data[k] = rng.byte(); k += 1 }
                }
            }
            let (inflated, size) = Self.roundTrip(data, rowLength: rowLength, pixelLength: pixelLength)
            #expect(inflated == data, "\(n) bytes, rows \(rowLength), pixels \(pixelLength)")
            #expect(size <= n + 5 * (n / 65535 + 1) + n / 1024 + 4096)
        }
    }

    /// The checksum against zlib's, on lengths around its word and reduction boundaries, all-255 bytes (the
    /// largest sums), zeros and noise.
    @Test func adler32MatchesZlib() {
        var bytes = Xorshift(11)
        for count in [0, 1, 7, 8, 9, 15, 16, 17, 5552, 5553, 70_001, 1 << 20, (1 << 20) + 8, (1 << 20) + 13, 2_100_007] {
            for data in [[UInt8](repeating: 255, count: count), [UInt8](repeating: 0, count: count),
                         (0..<count).map { _ in bytes.byte() }] {
                let zlib = data.withUnsafeBufferPointer { UInt32(adler32(1, $0.baseAddress, uInt($0.count))) }
                #expect(data.withUnsafeBufferPointer(Deflate.adler32) == zlib, "\(count) bytes")
            }
        }
    }

    /// Runs of one byte whose lengths fall on and around multiples of the longest match.
    @Test func runsAcrossTheMatchLimitRoundTrip() {
        var data: [UInt8] = []
        for (k, run) in [1, 2, 3, 4, 257, 258, 259, 260, 261, 262, 515, 516, 517, 518, 1000].enumerated() {
            data += [UInt8](repeating: UInt8(k), count: run)
        }
        #expect(Self.roundTrip(data).inflated == data)
        let zeros = [UInt8](repeating: 0, count: 300_000)
        let (inflated, size) = Self.roundTrip(zeros)
        #expect(inflated == zeros)
        #expect(size < 2_000)   // 258 bytes a token of a few bits
    }

    /// Random bytes do not compress: stored blocks, 65 535 bytes at most each, barely larger than the input.
    @Test func incompressibleBytesAreStored() {
        var bytes = Xorshift(42)
        let data = (0..<200_000).map { _ in bytes.byte() }
        let (inflated, size) = Self.roundTrip(data)
        #expect(inflated == data)
        #expect(size <= data.count + 5 * (data.count / 32768 + 1) + 6)
    }

    /// A small alphabet: short matches and literals, more tokens than one block holds, so several dynamic blocks
    /// (stored ones would be as large as the input).
    @Test func manyBlocksRoundTrip() {
        var bytes = Xorshift(7)
        let data = (0..<400_000).map { _ in UInt8(bytes.bits() >> 40 & 3) }
        let (inflated, size) = Self.roundTrip(data, rowLength: 1001, pixelLength: 4)
        #expect(inflated == data)
        #expect(Double(size) < 0.45 * Double(data.count))   // coded, not stored (two bits of entropy a byte)
    }

    /// Image-like rows (rectangles of a few colours, with noise), including rows longer than the 32 KB window,
    /// with three- and four-byte pixels: the neighbour and hash matches all round-trip.
    @Test(arguments: [(3, 40), (4, 97), (3, 1000), (4, 9000)])
    func imageRowsRoundTrip(_ pixelLength: Int, _ width: Int) {
        var bytes = Xorshift(UInt64(width))
        let rowLength = width * pixelLength + 1
        let height = max(3, 600_000 / rowLength)
        var data = [UInt8](repeating: 255, count: rowLength * height)
        for _ in 0..<40 {
            let (x0, y0) = (Int(bytes.bits() % UInt64(width)), Int(bytes.bits() % UInt64(height)))
            let (w, h) = (1 + Int(bytes.bits() % UInt64(width / 2 + 1)), 1 + Int(bytes.bits() % UInt64(height / 2 + 1)))
            let color = (0..<pixelLength).map { _ in bytes.byte() }
            for y in y0..<min(height, y0 + h) {
                for x in x0..<min(width, x0 + w) {
                    for c in 0..<pixelLength { data[y * rowLength + 1 + x * pixelLength + c] = color[c] }
                }
            }
        }
        for _ in 0..<2000 { data[Int(bytes.bits() % UInt64(data.count))] = bytes.byte() }
        for y in 0..<height { data[y * rowLength] = 0 }
        #expect(Self.roundTrip(data, rowLength: rowLength, pixelLength: pixelLength).inflated == data)
    }

    /// On the figures of a run, within 15 % of zlib's level 3 (the files were that size before; over the fifteen
    /// figures of `regionplot --width 100` they are 1 % smaller than zlib's), and decoded by
    /// libpng (through Cairo's reader) to the same pixels as zlib's stream.
    @Test(arguments: ["wireframes", "partition-a", "xor-points", "linear-regions"])
    func figuresCompressLikeZlib(_ name: String) throws {
        let figure = XORFigures.all(fixtureResult).first { $0.name == name }!.make()!
        let raster = FigureFile.raster(figure)
        let ours = try PNGEncoder.encode(raster, dpi: nil)
        let zlib = try PNGEncoder.encode(raster, dpi: nil, compressor: Self.zlibStream)
        #expect(Double(ours.count) <= 1.15 * Double(zlib.count), "\(ours.count) bytes against zlib's \(zlib.count)")
        #expect(Self.libpngRaster(ours)?.rgba == raster.rgba)
        #expect(Self.libpngRaster(zlib)?.rgba == raster.rgba)
    }

    /// zlib's `compress2` at level 3, the reference compressor (3 compresses figures nearly as small as level 6, faster).
    static func zlibStream(_ rows: UnsafeBufferPointer<UInt8>, rowLength: Int, pixelLength: Int) throws -> [UInt8] {
        var status = Z_OK
        let compressed = [UInt8](unsafeUninitializedCapacity: Int(compressBound(uLong(rows.count)))) { out, count in
            var length = uLong(out.count)
            status = compress2(out.baseAddress, &length, rows.baseAddress, uLong(rows.count), 3)
            count = status == Z_OK ? Int(length) : 0
        }
        guard status == Z_OK else { throw PNGEncoder.EncodingError(description: "zlib compress2 failed (\(status))") }
        return compressed
    }

    /// A PNG read by libpng, as un-premultiplied RGBA.
    static func libpngRaster(_ png: [UInt8]) -> Raster? {
        final class Reader { var bytes: [UInt8]; var offset = 0; init(_ b: [UInt8]) { bytes = b } }
        let reader = Reader(png)
        let read: cairo_read_func_t = { closure, data, length in
            let reader = Unmanaged<Reader>.fromOpaque(closure!).takeUnretainedValue()
            guard let data, reader.offset + Int(length) <= reader.bytes.count else { return CAIRO_STATUS_READ_ERROR }
            for k in 0..<Int(length) { data[k] = reader.bytes[reader.offset + k] }
            reader.offset += Int(length)
            return CAIRO_STATUS_SUCCESS
        }
        let surface = withExtendedLifetime(reader) {
            cairo_image_surface_create_from_png_stream(read, Unmanaged.passUnretained(reader).toOpaque())!
        }
        defer { cairo_surface_destroy(surface) }
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else { return nil }
        return FigureFile.raster(of: surface)
    }

    /// Writing an opaque surface's rows over its own pixels gives the bytes that fresh memory gives.
    @Test func overwritingTheSurfaceWritesTheSameFile() throws {
        let figure = XORFigures.all(fixtureResult).first { $0.name == "training-a" }!.make()!
        let fresh = try FigureFile.withImageSurface(of: figure) { try PNGEncoder.encode(surface: $0) }
        let overwritten = try FigureFile.withImageSurface(of: figure) {
            try PNGEncoder.encode(surface: $0, overwritingSurface: true)
        }
        #expect(fresh == overwritten)
        // Two pixels wide, the narrowest surface rewritten in place; one pixel wide takes fresh memory.
        for width in [1, 2, 3] as [Int32] {
            let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, 5)!
            defer { cairo_surface_destroy(surface) }
            let context = cairo_create(surface)!
            cairo_set_source_rgb(context, 0.1, 0.5, 0.9)
            cairo_paint(context)
            cairo_set_source_rgb(context, 0.9, 0.2, 0.3)
            cairo_rectangle(context, 0, 1, 1, 2)
            cairo_fill(context)
            cairo_destroy(context)
            let raster = FigureFile.raster(of: surface)
            let png = try PNGEncoder.encode(surface: surface, overwritingSurface: true)
            #expect(Self.libpngRaster(png)?.rgba == raster.rgba)
        }
    }

    /// Rows laid out in the surface's own memory against fresh memory, on surfaces of random sizes (1 to 300 each
    /// way, so one pixel wide and one row high too) and strides (padding filled with noise, which must not reach the
    /// file), opaque (noise or flat) and not (translucent, or all transparent): the same files. (A longer run of
    /// this, 4 500 surfaces in a debug build, found nothing.)
    @Test func overwritingRandomSurfacesWritesTheSameFiles() throws {
        var rng = Xorshift(300)
        func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(rng.bits() % UInt64(n)) }
        for trial in 0..<30 {
            let (w, h) = trial < 4 ? [(1, 1), (1, 300), (300, 1), (2, 2)][trial] : (1 + below(300), 1 + below(300))
            let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, Int32(w))) + 4 * [0, below(9)][below(2)]
            let kind = trial % 4
            var words = [UInt32](repeating: 0, count: stride / 4 * h)
            for y in 0..<h {
                for x in 0..<(stride / 4) {
                    let noise = UInt32(truncatingIfNeeded: rng.bits() >> 8)
                    guard x < w else { words[y * stride / 4 + x] = noise; continue }
                    let a = UInt32(below(256)), premultiplied = { UInt32(below(Int(a) + 1)) }
                    words[y * stride / 4 + x] = switch kind {
                    case 0: 0xFF00_0000 | noise & 0xFF_FFFF
                    case 1: (x / 7 + y / 5) % 3 == 0 ? 0xFF12_3456 : 0xFFFF_FFFF
                    case 2: a << 24 | premultiplied() << 16 | premultiplied() << 8 | premultiplied()
                    default: 0
                    }
                }
            }
            func encode(overwriting: Bool) throws -> [UInt8] {
                var copy = words
                return try copy.withUnsafeMutableBytes { raw in
                    let surface = cairo_image_surface_create_for_data(
                        raw.baseAddress!.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_ARGB32,
                        Int32(w), Int32(h), Int32(stride))!
                    defer { cairo_surface_destroy(surface) }
                    if kind < 2 && !overwriting {
                        // libpng reads the file back to the surface's pixels (opaque: no premultiplying to lose).
                        let png = try PNGEncoder.encode(surface: surface)
                        #expect(Self.libpngRaster(png)?.rgba == FigureFile.raster(of: surface).rgba)
                    }
                    return try PNGEncoder.encode(surface: surface, overwritingSurface: overwriting)
                }
            }
            #expect(try encode(overwriting: false) == encode(overwriting: true), "\(w)×\(h), stride \(stride)")
        }
    }

    /// Code lengths: at most the limit, complete (Kraft's sum exactly 1), and, where the limit does not bind, as
    /// short in total as Huffman's code found independently (merging the two lightest weights, by a sorted list).
    @Test func huffmanLengthsAreCompleteLimitedAndOptimal() {
        var bytes = Xorshift(3)
        var cases: [([Int], Int)] = [([5, 0], 15), ([0, 0, 9, 0], 7), ([1, 1], 15), ([3, 1, 4, 1, 5, 9, 2, 6], 15)]
        // Fibonacci weights make a Huffman tree as deep as there are symbols: the limit binds.
        var fibonacci = [1, 1]
        while fibonacci.count < 30 { fibonacci.append(fibonacci[fibonacci.count - 1] + fibonacci[fibonacci.count - 2]) }
        cases += [(fibonacci, 15), (Array(fibonacci[0..<19]), 7), (fibonacci.reversed(), 15)]
        // Random counts of deflate's alphabets: 286 literal/length and 30 distance symbols (limit 15), 19
        // code-length symbols (limit 7); some unused, some rare, some common.
        for _ in 0..<200 {
            let (count, limit) = [(286, 15), (30, 15), (19, 7)][Int(bytes.bits() % 3)]
            let counts = (0..<count).map { _ in
                bytes.bits() % 3 == 0 ? 0 : Int(bytes.bits() % (1 << (bytes.bits() % 20)))
            }
            cases.append((counts, limit))
        }
        for (counts, limit) in cases {
            let lengths = HuffmanCode.lengths(counts, limit: limit)
            #expect(lengths.count == counts.count)
            #expect(lengths.allSatisfy { $0 <= limit })
            #expect(zip(counts, lengths).allSatisfy { $0 == 0 || $1 > 0 }, "every used symbol has a code")
            let coded = lengths.filter { $0 > 0 }
            #expect(coded.count >= 2)
            #expect(coded.reduce(0) { $0 + (1 << (limit - Int($1))) } == 1 << limit, "complete code")
            let used = counts.filter { $0 > 0 }
            guard used.count >= 2 else { continue }
            // Huffman's cost: the sum of every merge's weight.
            var weights = used.sorted(), cost = 0
            while weights.count > 1 {
                let merged = weights[0] + weights[1]
                cost += merged
                weights.removeFirst(2)
                weights.insert(merged, at: weights.firstIndex { $0 > merged } ?? weights.count)
            }
            let total = zip(counts, lengths).reduce(0) { $0 + $1.0 * Int($1.1) }
            if (lengths.max() ?? 0) < limit { #expect(total == cost) } else { #expect(total >= cost) }
        }
    }
}
