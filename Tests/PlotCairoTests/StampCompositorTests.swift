import CCairo
import Plot
import Testing
import Experiments
import ExperimentFixtures
@testable import PlotCairo

/// `StampCompositor` writes dense markers into the pixels itself; Cairo drawing each marker
/// (`cairo_mask_surface`, `referenceDrawing`) is the reference. Identical pixels, bit for bit.
@Suite struct StampCompositorTests {
    /// The ARGB32 pixels of a 300 × 200 surface after `draw` on a renderer of it.
    static func pixels(reference: Bool, _ draw: (CairoRenderer) -> Void) -> [UInt32] {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 300, 200)!
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        // A backdrop that is not white, so that OVER's blending with what is below is exercised.
        cairo_set_source_rgba(context, 0.9, 0.6, 0.3, 0.7)
        cairo_paint(context)
        draw(CairoRenderer(context: context, isRaster: true, referenceDrawing: reference))
        cairo_destroy(context)
        cairo_surface_flush(surface)
        let stride = Int(cairo_image_surface_get_stride(surface)) / 4
        let data = UnsafeRawPointer(cairo_image_surface_get_data(surface)!).assumingMemoryBound(to: UInt32.self)
        return (0..<200).flatMap { y in (0..<300).map { x in data[y * stride + x] } }
    }

    /// Seeded markers, some off the surface and across the clip's edges.
    static func batch(_ seed: UInt64, count: Int, oneColor: Color? = nil, diameter: Double) -> MarkerBatch {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> Double {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Double(state >> 11) / Double(1 << 53)
        }
        // A few markers at no finite place, and one far away, among them.
        let centers = (0..<count).map { _ in Point(next() * 340 - 20, next() * 240 - 20) }
            + [Point(.nan, 5), Point(5, .infinity), Point(-.infinity, .nan), Point(3e9, -4e9)]
        let colors = oneColor.map { [$0] } ?? (0..<(count + 4)).map { _ in
            Color(next(), next(), next(), alpha: next() < 0.3 ? 1 : next())
        }
        return MarkerBatch(centers: centers, diameter: diameter, colors: colors, edgeWidth: 1)
    }

    @Test(arguments: [1.0, 2.3, 4.0, 7.5])
    func perMarkerColoursThroughAFractionalClip(_ diameter: Double) {
        let markers = Self.batch(UInt64(diameter * 10), count: 3000, diameter: diameter)
        let draw = { (r: CairoRenderer) in
            r.pushClip(Rect(x: 20.3, y: 15.7, width: 250.4, height: 160.25))
            r.pushClip(Rect(x: 10, y: 30, width: 200, height: 400))   // nested: the intersection
            r.draw(markers)
            r.popClip()
            r.draw(markers)
            r.popClip()
        }
        #expect(Self.pixels(reference: false, draw) == Self.pixels(reference: true, draw))
    }

    /// One translucent colour goes through a group (stamped opaque, painted at the alpha), with its own offset.
    @Test(arguments: [0.5, 0.25, 1.0])
    func oneTranslucentColourInAGroup(_ alpha: Double) {
        let markers = Self.batch(3, count: 2500, oneColor: Color(0.17, 0.63, 0.17, alpha: alpha), diameter: 2)
        let draw = { (r: CairoRenderer) in
            r.pushClip(Rect(x: 33.5, y: 41.2, width: 180.7, height: 120.1))
            r.draw(markers)
            r.popClip()
            r.draw(markers)
        }
        #expect(Self.pixels(reference: false, draw) == Self.pixels(reference: true, draw))
    }

    /// The figures that draw the most markers, in both styles.
    @Test(arguments: ["linear-regions", "surfaces", "wireframes", "training-a"], ["notebook", "paper"])
    func analysisFiguresHaveTheReferencePixels(_ name: String, _ style: String) {
        let figure = { () -> Figure in
            let f = XORFigures.all(fixtureResult).first { $0.name == name }!.make()!
            f.style = Style.named(style)!
            return f
        }
        let fast = FigureFile.raster(figure(), referenceDrawing: false)
        let reference = FigureFile.raster(figure(), referenceDrawing: true)
        #expect(fast.rgba == reference.rgba)
    }
}

/// The PNG writer: the surface path gives the same bytes as the raster path, and the file decodes (zlib's
/// inflate, PNG's chunk layout and CRCs, read here independently of the writer) to the figure's pixels.
@Suite struct PNGEncoderTests {
    /// Chunks of a PNG: (type, body), each CRC checked.
    static func chunks(_ png: [UInt8]) -> [(String, [UInt8])] {
        func be32(_ k: Int) -> Int { png[k..<(k + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var k = 8, out: [(String, [UInt8])] = []
        while k < png.count {
            let length = be32(k)
            let typeAndBody = Array(png[(k + 4)..<(k + 8 + length)])
            let crc = typeAndBody.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            #expect(Int(crc) == be32(k + 8 + length))
            out.append((String(decoding: typeAndBody[0..<4], as: UTF8.self), Array(typeAndBody[4...])))
            k += 12 + length
        }
        return out
    }

    /// The RGBA pixels a PNG of this writer holds (8-bit RGB or RGBA, every row's filter None).
    static func decode(_ png: [UInt8]) -> Raster {
        let parts = chunks(png)
        #expect(parts.first?.0 == "IHDR" && parts.last?.0 == "IEND")
        let header = parts[0].1
        func be32(_ k: Int) -> Int { header[k..<(k + 4)].reduce(0) { $0 << 8 | Int($1) } }
        let (w, h) = (be32(0), be32(4)), channels = header[9] == 2 ? 3 : 4
        let idat = parts.filter { $0.0 == "IDAT" }.flatMap(\.1)
        var length = uLong((w * channels + 1) * h)
        var rows = [UInt8](repeating: 0, count: Int(length))
        #expect(uncompress(&rows, &length, idat, uLong(idat.count)) == Z_OK)
        var rgba = [UInt8](repeating: 255, count: w * h * 4)
        for y in 0..<h {
            let row = y * (w * channels + 1)
            #expect(rows[row] == 0)
            for x in 0..<w { for c in 0..<channels { rgba[4 * (y * w + x) + c] = rows[row + 1 + x * channels + c] } }
        }
        return Raster(width: w, height: h, rgba: rgba)
    }

    @Test(arguments: ["wireframes", "partition-a", "xor-points"])
    func surfaceAndRasterPathsWriteTheSamePNG(_ name: String) throws {
        let figure = XORFigures.all(fixtureResult).first { $0.name == name }!.make()!
        let fromSurface = try FigureFile.encode(figure, format: .png)
        let raster = FigureFile.raster(figure)
        #expect(fromSurface == (try PNGEncoder.encode(raster, dpi: figure.dpi)))
        let decoded = Self.decode(fromSurface)
        #expect(decoded.width == raster.width && decoded.height == raster.height && decoded.rgba == raster.rgba)
    }

    /// Translucent pixels: an RGBA file, un-premultiplied, decoding to the raster.
    @Test func translucentPixelsMakeAnRGBAFile() throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 37, 23)!
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        cairo_set_source_rgba(context, 0.2, 0.7, 0.4, 0.35)
        cairo_arc(context, 15, 10, 9, 0, 2 * Double.pi)
        cairo_fill(context)
        cairo_destroy(context)
        let png = try PNGEncoder.encode(surface: surface, dpi: 100)
        let raster = FigureFile.raster(of: surface)
        #expect(png == (try PNGEncoder.encode(raster, dpi: 100)))
        #expect(Self.chunks(png)[0].1[9] == 6)
        #expect(Self.decode(png).rgba == raster.rgba)
    }
}

/// The two-channels-at-a-time arithmetic against one channel at a time, on every coverage and alpha.
@Suite struct StampArithmeticTests {
    @Test func pairedChannelsEqualOneAtATime() {
        var state: UInt64 = 0x1234_5678_9ABC_DEF1
        func next() -> UInt32 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt32(truncatingIfNeeded: state)
        }
        for m in 0...255 as ClosedRange<UInt32> {
            for _ in 0..<200 {
                // A premultiplied source (channels ≤ alpha) and any destination, including saturating ones.
                let a = next() & 0xFF
                let s = a << 24 | (next() % (a + 1)) << 16 | (next() % (a + 1)) << 8 | next() % (a + 1)
                let d = next()
                #expect(StampCompositor.scaled(s, m) == StampCompositor.scaledReference(s, m))
                #expect(StampCompositor.over(s, d) == StampCompositor.overReference(s, d))
                // Any source word too, so that the saturating add is exercised.
                let any = next()
                #expect(StampCompositor.over(any, d) == StampCompositor.overReference(any, d))
            }
        }
    }
}
