import CCairo
import Plot

/// Composites small coverage masks ("stamps") of one solid colour straight into the pixels of a Cairo image
/// surface, with the arithmetic pixman uses for Cairo's `cairo_mask_surface` of a solid source through an A8 mask
/// with the OVER operator onto ARGB32 — so the pixels are the ones Cairo would write, without Cairo's per-call
/// cost (pattern, clip and compositor set-up: some microseconds for each of tens of thousands of dots).
///
/// `CairoRenderer.stampMarkersReference` is the obviously correct path (one `cairo_mask_surface` per marker);
/// tests hold the two to identical pixels. Markers this compositor cannot place exactly (a stamp that is not
/// wholly inside the clip's whole pixels or the surface, a transform that is not an integer translation) go
/// through Cairo, in order.
struct StampCompositor {
    /// The surface drawn into (the current group's, inside `cairo_push_group`).
    let surface: OpaquePointer
    let data: UnsafeMutablePointer<UInt8>
    let stride: Int, width: Int, height: Int
    /// User space → surface pixels: an integer translation.
    let offsetX: Int, offsetY: Int
    /// The pixels wholly inside the clip, in surface pixels: [x0, x1) × [y0, y1).
    let x0: Int, y0: Int, x1: Int, y1: Int
    /// The clip itself within the surface, in surface pixels (the whole surface without a clip): what a polygon
    /// can be cut to exactly, partly covered pixels included.
    let clipBox: (minX: Double, minY: Double, maxX: Double, maxY: Double)

    /// A compositor for `context`'s current target, or nil when its target is not an ARGB32 image surface or its
    /// transform is not an integer translation. `clip` is the intersection of the clips pushed, in user space.
    init?(context: OpaquePointer, clip: Rect?) {
        guard let surface = cairo_get_group_target(context),
              cairo_surface_get_type(surface) == CAIRO_SURFACE_TYPE_IMAGE,
              cairo_image_surface_get_format(surface) == CAIRO_FORMAT_ARGB32 else { return nil }
        var m = cairo_matrix_t()
        cairo_get_matrix(context, &m)
        var dx = 0.0, dy = 0.0
        cairo_surface_get_device_offset(surface, &dx, &dy)
        let tx = m.x0 + dx, ty = m.y0 + dy
        guard m.xx == 1, m.yy == 1, m.xy == 0, m.yx == 0, tx == tx.rounded(), ty == ty.rounded(),
              abs(tx) < 1e9, abs(ty) < 1e9 else { return nil }
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else { return nil }
        self.surface = surface
        self.data = data
        stride = Int(cairo_image_surface_get_stride(surface))
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        offsetX = Int(tx)
        offsetY = Int(ty)
        var (cx0, cy0, cx1, cy1) = (0, 0, width, height)
        var box = (minX: 0.0, minY: 0.0, maxX: Double(width), maxY: Double(height))
        if let clip {
            // A clip at no finite place is Cairo's to interpret.
            guard clip.x.isFinite, clip.y.isFinite, clip.maxX.isFinite, clip.maxY.isFinite else { return nil }
            // Only pixels the clip covers wholly: at a partly covered pixel Cairo scales by the coverage.
            func inward(_ v: Double, up: Bool) -> Int {
                Int(max(-1e9, min(1e9, up ? v.rounded(.up) : v.rounded(.down))))
            }
            cx0 = max(cx0, inward(clip.x + tx, up: true))
            cy0 = max(cy0, inward(clip.y + ty, up: true))
            cx1 = min(cx1, inward(clip.maxX + tx, up: false))
            cy1 = min(cy1, inward(clip.maxY + ty, up: false))
            box = (max(box.minX, clip.x + tx), max(box.minY, clip.y + ty),
                   min(box.maxX, clip.maxX + tx), min(box.maxY, clip.maxY + ty))
        }
        (x0, y0, x1, y1) = (cx0, cy0, cx1, cy1)
        clipBox = box
    }

    /// Cairo's premultiplied 8-bit source pixel for a colour: each channel clamped to [0, 1], premultiplied in
    /// double, to 16 bits as `_cairo_color_double_to_short` does (× 65535, rounded), then the top byte as
    /// pixman's solid fill takes it.
    static func sourcePixel(_ c: Color) -> UInt32 {
        let p = premultiplied(c)
        func byte(_ v: Double) -> UInt32 { UInt32(UInt16(v * 65535.0 + 0.5)) >> 8 }
        return byte(p.w) << 24 | byte(p.x) << 16 | byte(p.y) << 8 | byte(p.z)
    }

    /// A colour's channels clamped to [0, 1] (NaN to 0) and premultiplied by its alpha, in Double: (r, g, b, a).
    static func premultiplied(_ c: Color) -> SIMD4<Double> {
        func clamp(_ v: Double) -> Double { v.isNaN ? 0 : min(1, max(0, v)) }
        let a = clamp(c.alpha)
        return SIMD4(clamp(c.red) * a, clamp(c.green) * a, clamp(c.blue) * a, a)
    }

    /// x · a / 255, rounded as pixman rounds (`MUL_UN8`).
    @inline(__always) static func mul(_ x: UInt32, _ a: UInt32) -> UInt32 {
        let t = x &* a &+ 0x80
        return ((t >> 8) &+ t) >> 8
    }

    /// Two channels at once (bits 0–7 and 16–23), each times a / 255, rounded as `mul` rounds: pixman's
    /// `UN8_rb_MUL_UN8`.
    @inline(__always) static func mulPair(_ x: UInt32, _ a: UInt32) -> UInt32 {
        var t = (x & 0x00FF_00FF) &* a &+ 0x0080_0080
        t = (t &+ ((t >> 8) & 0x00FF_00FF)) >> 8
        return t & 0x00FF_00FF
    }

    /// Two channel pairs added with each channel saturating at 255: pixman's `UN8_rb_ADD_UN8_rb`.
    @inline(__always) static func addPair(_ x: UInt32, _ y: UInt32) -> UInt32 {
        var t = x &+ y
        t |= 0x1000_0100 &- ((t >> 8) & 0x00FF_00FF)
        return t & 0x00FF_00FF
    }

    /// OVER of a premultiplied pixel `s` onto `d`: d · (1 − αs) + s per channel, saturating
    /// (`UN8x4_MUL_UN8_ADD_UN8x4`). All four channels at once, each in 16 bits of a 64-bit word as pixman's 64-bit
    /// build does: the arithmetic of `mulPair` and `addPair` in each lane, half the operations.
    @inline(__always) static func over(_ s: UInt32, _ d: UInt32) -> UInt32 {
        over(spread: spread(s), d)
    }

    /// `over` of a source given as `spread(s)`.
    @inline(__always) static func over(spread s: UInt64, _ d: UInt32) -> UInt32 {
        let ia = 255 &- s >> 48
        // x · ia / 255 rounded, per lane (≤ 255 · 255 + 0x80 + 0xFF, no carry into the next lane).
        var t = spread(d) &* ia &+ 0x0080_0080_0080_0080
        t = ((t &+ ((t >> 8) & 0x00FF_00FF_00FF_00FF)) >> 8) & 0x00FF_00FF_00FF_00FF
        // + s per lane, saturating at 255.
        t = t &+ s
        t |= 0x0100_0100_0100_0100 &- ((t >> 8) & 0x00FF_00FF_00FF_00FF)
        t &= 0x00FF_00FF_00FF_00FF
        return pack(t)
    }

    /// The pixel whose channels `spread` put in lanes.
    @inline(__always) static func pack(_ t: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: t) & 0x00FF_00FF | UInt32(truncatingIfNeeded: t >> 24) & 0xFF00_FF00
    }

    /// A pixel's channels each in the low byte of a 16-bit lane: blue, red, green, alpha from the lowest.
    @inline(__always) static func spread(_ x: UInt32) -> UInt64 {
        UInt64(x & 0x00FF_00FF) | UInt64(x & 0xFF00_FF00) << 24
    }

    /// The source `s` through coverage `m` (`UN8x4_MUL_UN8`).
    @inline(__always) static func scaled(_ s: UInt32, _ m: UInt32) -> UInt32 {
        mulPair(s, m) | mulPair(s >> 8, m) << 8
    }

    /// Composites `stamp` (A8) with its top-left at user pixel (ux, uy), if it lies wholly inside the pixels this
    /// compositor owns; returns false (nothing drawn) otherwise.
    func composite(_ stamp: Stamp, source: UInt32, atUserX ux: Int, userY uy: Int) -> Bool {
        let px = ux + offsetX, py = uy + offsetY
        guard px >= x0, py >= y0, px + stamp.width <= x1, py + stamp.height <= y1 else { return false }
        let origin = UnsafeMutableRawPointer(data + py * stride + 4 * px)
        stamp.prepare(stride: stride, source: source)
        // Only the pixels the disc covers at all, in row order, each as `blend` composites it: OVER of the source
        // through the pixel's coverage (an opaque one is the source itself, whatever lies below).
        stamp.offsets.withUnsafeBufferPointer { offsets in
            stamp.through.withUnsafeBufferPointer { through in
                for i in 0..<offsets.count {
                    let pixel = (origin + offsets[i]).assumingMemoryBound(to: UInt32.self)
                    let s = through[i]
                    pixel.pointee = s >> 48 == 255 ? StampCompositor.pack(s)
                        : StampCompositor.over(spread: s, pixel.pointee)
                }
            }
        }
        return true
    }

    /// `source` OVER `pixel` through an 8-bit coverage `mask`, as pixman composites a solid source through an A8 mask.
    @inline(__always) static func blend(_ pixel: inout UInt32, source: UInt32, opaque: Bool, mask m: UInt32) {
        if m == 0 { return }
        pixel = m == 255 ? (opaque ? source : over(source, pixel)) : over(scaled(source, m), pixel)
    }

    /// Tells Cairo that its pixels were written behind its back (before Cairo draws again).
    func markDirty() { cairo_surface_mark_dirty(surface) }
    /// Lets Cairo finish pending drawing before the pixels are written directly.
    func flush() { cairo_surface_flush(surface) }
}

/// A disc's coverage mask as Cairo rendered it (A8), copied out of its surface, with the surface for Cairo's path.
final class Stamp {
    let surface: OpaquePointer
    let width: Int, height: Int
    /// The pixels with non-zero coverage, row by row.
    let covered: [(row: UInt16, column: UInt16, coverage: UInt8)]

    init(surface: OpaquePointer) {
        self.surface = surface
        cairo_surface_flush(surface)
        width = Int(cairo_image_surface_get_width(surface))
        height = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var covered: [(row: UInt16, column: UInt16, coverage: UInt8)] = []
        for y in 0..<height {
            for x in 0..<width where data[y * stride + x] != 0 {
                covered.append((UInt16(y), UInt16(x), data[y * stride + x]))
            }
        }
        self.covered = covered
    }

    /// The byte offset of each covered pixel from the stamp's top-left in a surface of the stride `offsets` were
    /// made for.
    private(set) var offsets: [Int] = []
    private var offsetsStride = -1
    /// The source through each covered pixel's coverage (`StampCompositor.scaled`; the source itself where the
    /// coverage is whole), `spread` into lanes, for the source `through` was made for: markers come in runs of
    /// one colour.
    private(set) var through: [UInt64] = []
    private var throughSource: UInt32?

    /// Makes `offsets` and `through` those of `stride` and `source`.
    func prepare(stride: Int, source: UInt32) {
        if stride != offsetsStride {
            offsets = covered.map { Int($0.row) * stride + 4 * Int($0.column) }
            offsetsStride = stride
        }
        if source != throughSource {
            if through.count != covered.count { through = Array(repeating: 0, count: covered.count) }
            covered.withUnsafeBufferPointer { covered in
                through.withUnsafeMutableBufferPointer { through in
                    for (i, entry) in covered.enumerated() {
                        let m = UInt32(entry.coverage)
                        through[i] = StampCompositor.spread(m == 255 ? source : StampCompositor.scaled(source, m))
                    }
                }
            }
            throughSource = source
        }
    }

    deinit { cairo_surface_destroy(surface) }
}
