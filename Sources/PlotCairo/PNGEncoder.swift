import CCairo

/// A small PNG writer for RGBA rasters: 8-bit RGB (or RGBA when any pixel is translucent), no row filter
/// (filter type 0 on every row), compressed by `Deflate`.
///
/// Plots are mostly flat colour with antialiased edges. For them the unfiltered rows compress smaller than the "Sub"
/// filter's (docs/speed.md), and `Deflate` finds the repeats a filter would have found: the pixel to the left and the
/// row above. libpng's per-row filter search at full compression costs more than drawing.
public enum PNGEncoder {
    public struct EncodingError: Error, CustomStringConvertible {
        public var description: String
    }

    /// What compresses the rows (each a filter byte and its pixels, `rowLength` bytes apart, pixels `pixelLength`
    /// bytes wide) into a zlib stream: `Deflate.zlibStream`, or a reference compressor in the tests.
    typealias Compressor = (_ rows: UnsafeBufferPointer<UInt8>, _ rowLength: Int, _ pixelLength: Int) throws -> [UInt8]

    /// The PNG of `raster`; with `dpi`, its resolution is recorded (a pHYs chunk, in pixels per metre), so that
    /// a 975-pixel figure at 300 dpi opens at 3.25 in.
    public static func encode(_ raster: Raster, dpi: Double? = nil) throws -> [UInt8] {
        try encode(raster, dpi: dpi, compressor: Deflate.zlibStream)
    }

    static func encode(_ raster: Raster, dpi: Double?, compressor: Compressor) throws -> [UInt8] {
        let opaque = stride(from: 3, to: raster.rgba.count, by: 4).allSatisfy { raster.rgba[$0] == 255 }
        let channels = opaque ? 3 : 4
        let rowBytes = raster.width * channels
        var rows = [UInt8](repeating: 0, count: (rowBytes + 1) * raster.height)
        raster.rgba.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { dst in
                for y in 0..<raster.height {
                    let out = y * (rowBytes + 1)   // dst[out] = 0: filter type None
                    for x in 0..<raster.width {
                        let k = 4 * (y * raster.width + x), o = out + 1 + x * channels
                        for c in 0..<channels { dst[o + c] = src[k + c] }
                    }
                }
            }
        }
        return try rows.withUnsafeBufferPointer {
            try png(rows: $0, width: raster.width, height: raster.height, opaque: opaque, dpi: dpi,
                    compressor: compressor)
        }
    }

    /// The PNG of a Cairo ARGB32 image surface, read straight from its premultiplied pixels: the same bytes as
    /// `encode(FigureFile.raster(...))` (un-premultiplied the same way), without the intermediate raster. With
    /// `overwritingSurface`, an opaque surface's rows are laid out for the file in its own memory (the surface is
    /// left holding them, not its pixels), instead of in megabytes of fresh memory that must be faulted in.
    static func encode(surface: OpaquePointer, dpi: Double? = nil, overwritingSurface: Bool = false) throws -> [UInt8] {
        cairo_surface_flush(surface)
        let width = Int(cairo_image_surface_get_width(surface)), height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        func row(_ y: Int) -> UnsafeBufferPointer<UInt32> {
            UnsafeBufferPointer(start: UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self),
                                count: width)
        }
        var opaque = true
        for y in 0..<height where opaque {
            var all: UInt32 = 0xFF00_0000
            for word in row(y) { all &= word }
            opaque = all >> 24 == 0xFF
        }
        let channels = opaque ? 3 : 4
        let rowBytes = width * channels
        let size = (rowBytes + 1) * height
        if opaque && overwritingSurface && width >= 2 {
            // Row y's filter byte and pixels land at y × (3w + 1) onwards, never past a byte not yet read (w ≥ 2
            // keeps each row's filter byte behind its first pixel).
            let bytes = UnsafeMutableRawPointer(data)
            for y in 0..<height {
                let source = row(y)
                let out = y * (rowBytes + 1)
                // Cairo's ARGB32 is a native-endian premultiplied word, here opaque: 0xFFRRGGBB, whose byte swap
                // shifted down is R, G, B, 0 in memory. Four pixels make three words; the four are read before
                // their twelve bytes are written, which end before the next four pixels' words.
                var x = 0
                while x + 4 <= width {
                    let a = source[x].byteSwapped >> 8, b = source[x + 1].byteSwapped >> 8
                    let c = source[x + 2].byteSwapped >> 8, d = source[x + 3].byteSwapped >> 8
                    let at = out + 1 + 3 * x
                    bytes.storeBytes(of: (a | b << 24).littleEndian, toByteOffset: at, as: UInt32.self)
                    bytes.storeBytes(of: (b >> 8 | c << 16).littleEndian, toByteOffset: at + 4, as: UInt32.self)
                    bytes.storeBytes(of: (c >> 16 | d << 8).littleEndian, toByteOffset: at + 8, as: UInt32.self)
                    x += 4
                }
                while x < width {
                    let word = source[x], at = out + 1 + 3 * x
                    bytes.storeBytes(of: UInt8(truncatingIfNeeded: word >> 16), toByteOffset: at, as: UInt8.self)
                    bytes.storeBytes(of: UInt8(truncatingIfNeeded: word >> 8), toByteOffset: at + 1, as: UInt8.self)
                    bytes.storeBytes(of: UInt8(truncatingIfNeeded: word), toByteOffset: at + 2, as: UInt8.self)
                    x += 1
                }
                // The filter byte (None) last: in the first row it lies on the first pixel's word.
                bytes.storeBytes(of: 0, toByteOffset: out, as: UInt8.self)
            }
            return try png(rows: UnsafeBufferPointer(start: data, count: size), width: width, height: height,
                           opaque: true, dpi: dpi, compressor: Deflate.zlibStream)
        }
        // Every byte is written below (a filter byte, then the pixels): no need to zero megabytes first.
        let rows = [UInt8](unsafeUninitializedCapacity: size) { dst, count in
            count = size
            for y in 0..<height {
                dst[y * (rowBytes + 1)] = 0   // filter type None
                var o = y * (rowBytes + 1) + 1
                for word in row(y) {
                    let a = word >> 24
                    var r = (word >> 16) & 0xFF, g = (word >> 8) & 0xFF, b = word & 0xFF
                    if a == 0 {
                        (r, g, b) = (0, 0, 0)
                    } else if a != 255 {
                        r = min(255, r * 255 / a); g = min(255, g * 255 / a); b = min(255, b * 255 / a)
                    }
                    dst[o] = UInt8(r); dst[o + 1] = UInt8(g); dst[o + 2] = UInt8(b)
                    if channels == 4 { dst[o + 3] = UInt8(a) }
                    o += channels
                }
            }
        }
        return try rows.withUnsafeBufferPointer {
            try png(rows: $0, width: width, height: height, opaque: opaque, dpi: dpi, compressor: Deflate.zlibStream)
        }
    }

    /// Compresses the filtered rows and wraps them in the PNG chunks.
    private static func png(rows: UnsafeBufferPointer<UInt8>, width: Int, height: Int, opaque: Bool, dpi: Double?,
                            compressor: Compressor) throws -> [UInt8] {
        let channels = opaque ? 3 : 4
        let compressed = try compressor(rows, width * channels + 1, channels)

        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png.reserveCapacity(compressed.count + 100)
        func be32(_ v: UInt32) -> [UInt8] {
            [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        }
        func chunk(_ type: String, _ body: [UInt8]) {
            let typeBytes = Array(type.utf8)
            png += be32(UInt32(body.count))
            png += typeBytes
            png += body
            var crc = typeBytes.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
            // (zlib's crc32 of a null buffer is its initial value, not the running one: skip empty bodies.)
            if !body.isEmpty { crc = body.withUnsafeBufferPointer { crc32(crc, $0.baseAddress, uInt($0.count)) } }
            png += be32(UInt32(crc))
        }
        chunk("IHDR", be32(UInt32(width)) + be32(UInt32(height)) + [8, opaque ? 2 : 6, 0, 0, 0])
        if let dpi, dpi.isFinite, dpi > 0 {
            let perMetre = be32(UInt32((dpi / 0.0254).rounded()))
            chunk("pHYs", perMetre + perMetre + [1])
        }
        chunk("IDAT", compressed)
        chunk("IEND", [])
        return png
    }
}
