import CCairo
import Foundation
import Plot

/// The Cairo backend of `Renderer`: draws into any Cairo context (image, SVG or PDF surface).
///
/// Fonts come through Cairo's toy API and fontconfig: DejaVu Sans (Debian's fonts-dejavu-core), upright or
/// oblique, as matplotlib's default and its mathtext italics use.
public final class CairoRenderer: Renderer {
    let context: OpaquePointer
    /// The font family.
    public static let fontFamily = "DejaVu Sans"

    /// A renderer over an existing Cairo context, whose user space is figure pixels.
    public init(context: OpaquePointer) {
        self.context = context
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
    }

    private func setColor(_ c: Color) {
        cairo_set_source_rgba(context, c.red, c.green, c.blue, c.alpha)
    }

    private func addPath(_ path: Path) {
        for sub in path.subpaths where !sub.isEmpty {
            cairo_move_to(context, sub[0].x, sub[0].y)
            for p in sub.dropFirst() { cairo_line_to(context, p.x, p.y) }
            if path.closed { cairo_close_path(context) }
        }
    }

    public func draw(_ path: Path, style: PathStyle) {
        cairo_new_path(context)
        addPath(path)
        if let fill = style.fill {
            setColor(fill)
            if style.stroke != nil { cairo_fill_preserve(context) } else { cairo_fill(context) }
        }
        if let stroke = style.stroke {
            setColor(stroke)
            cairo_set_line_width(context, style.lineWidth)
            cairo_set_line_cap(context, style.round ? CAIRO_LINE_CAP_ROUND : CAIRO_LINE_CAP_BUTT)
            cairo_set_line_join(context, style.round ? CAIRO_LINE_JOIN_ROUND : CAIRO_LINE_JOIN_MITER)
            if style.dash.isEmpty { cairo_set_dash(context, nil, 0, 0) } else {
                style.dash.withUnsafeBufferPointer { cairo_set_dash(context, $0.baseAddress, Int32($0.count), 0) }
            }
            cairo_stroke(context)
        }
        cairo_new_path(context)
    }

    public func draw(_ markers: MarkerBatch) {
        // The edge (in the face colour) makes the drawn disc wider by its width.
        let radius = (markers.diameter + markers.edgeWidth) / 2
        guard radius > 0, !markers.centers.isEmpty else { return }
        cairo_new_path(context)
        if markers.colors.count == 1 {
            // One path for the whole batch: thousands of markers in a single fill.
            for c in markers.centers {
                cairo_new_sub_path(context)
                cairo_arc(context, c.x, c.y, radius, 0, 2 * Double.pi)
            }
            setColor(markers.colors[0])
            cairo_fill(context)
        } else {
            for (c, color) in zip(markers.centers, markers.colors) {
                cairo_new_sub_path(context)
                cairo_arc(context, c.x, c.y, radius, 0, 2 * Double.pi)
                setColor(color)
                cairo_fill(context)
            }
        }
    }

    private func selectFont(italic: Bool, size: Double) {
        cairo_select_font_face(context, CairoRenderer.fontFamily,
                               italic ? CAIRO_FONT_SLANT_OBLIQUE : CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)
        cairo_set_font_size(context, size)
    }

    public func measure(_ runs: [TextRun], size: Double) -> TextMetrics {
        var width = 0.0
        for run in runs {
            selectFont(italic: run.italic, size: size)
            var extents = cairo_text_extents_t()
            cairo_text_extents(context, run.text, &extents)
            width += extents.x_advance
        }
        selectFont(italic: false, size: size)
        var font = cairo_font_extents_t()
        cairo_font_extents(context, &font)
        // Font-wide ascent/descent of DejaVu run generous; matplotlib centres on the ink of typical text,
        // so use the cap-height-like share of them.
        return TextMetrics(width: width, ascent: font.ascent * 0.78, descent: font.descent * 0.9)
    }

    public func drawText(_ runs: [TextRun], size: Double, color: Color, origin: Point, rotation: Double) {
        cairo_save(context)
        cairo_translate(context, origin.x, origin.y)
        cairo_rotate(context, -rotation * Double.pi / 180)
        cairo_move_to(context, 0, 0)
        setColor(color)
        for run in runs {
            selectFont(italic: run.italic, size: size)
            cairo_show_text(context, run.text)
        }
        cairo_new_path(context)
        cairo_restore(context)
    }

    public func pushClip(_ rect: Rect) {
        cairo_save(context)
        cairo_new_path(context)
        cairo_rectangle(context, rect.x, rect.y, rect.width, rect.height)
        cairo_clip(context)
        cairo_new_path(context)
    }

    public func popClip() {
        cairo_restore(context)
    }
}
