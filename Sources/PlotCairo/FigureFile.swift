import CCairo
import FoundationEssentials
import Plot
import Support

/// Output formats.
public enum ImageFormat: String, CaseIterable, Sendable {
    case png, svg, pdf

    /// The format of a file name's extension, if known.
    public init?(pathExtension: String) { self.init(rawValue: pathExtension.lowercased()) }
}

/// A figure that could not be written.
public struct FigureWriteError: Error, CustomStringConvertible {
    public var path: String
    public var problem: String
    public var description: String { "cannot write figure \(path): \(problem)" }

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
}

/// An 8-bit RGBA raster of a rendered figure (not premultiplied), row-major from the top.
public struct Raster: Sendable {
    public var width: Int, height: Int
    public var rgba: [UInt8]

    /// The pixel at (x, y) as (r, g, b, a).
    public func pixel(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8, UInt8) {
        let k = 4 * (y * width + x)
        return (rgba[k], rgba[k + 1], rgba[k + 2], rgba[k + 3])
    }
}

/// The bytes a Cairo stream surface writes, collected in memory.
private final class StreamBuffer {
    var bytes: [UInt8] = []
}

/// Draws figures into PNG, SVG and PDF files, or into a raster.
public enum FigureFile {
    /// Renders `figure` into an RGBA raster at its dpi.
    public static func raster(_ figure: Figure) -> Raster { raster(figure, referenceDrawing: false) }

    /// `raster(_:)`, with dense markers and polygon batches drawn by Cairo call by call when `referenceDrawing`
    /// (for tests).
    static func raster(_ figure: Figure, referenceDrawing: Bool) -> Raster {
        withImageSurface(of: figure, referenceDrawing: referenceDrawing) { raster(of: $0) }
    }

    /// Draws `figure` into a new ARGB32 image surface at its dpi and hands that to `body`.
    static func withImageSurface<T>(of figure: Figure, referenceDrawing: Bool = false,
                                    through wrap: (Renderer) -> Renderer = { $0 },
                                    _ body: (OpaquePointer) throws -> T) rethrows -> T {
        figure.prepareLayout(measuringWith: CairoRenderer.textMeasurer())
        let (w, h) = (figure.pixelWidth, figure.pixelHeight)
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(w), Int32(h))!
        defer { cairo_surface_destroy(surface) }
        let context = cairo_create(surface)!
        figure.draw(on: wrap(CairoRenderer(context: context, isRaster: true, referenceDrawing: referenceDrawing)))
        cairo_destroy(context)
        return try body(surface)
    }

    /// The un-premultiplied RGBA pixels of an ARGB32 image surface.
    static func raster(of surface: OpaquePointer) -> Raster {
        cairo_surface_flush(surface)
        let w = Int(cairo_image_surface_get_width(surface)), h = Int(cairo_image_surface_get_height(surface))
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var rgba = [UInt8](repeating: 0, count: w * h * 4)
        for y in 0..<h {
            let row = data + y * stride
            for x in 0..<w {
                // Cairo's ARGB32 is a native-endian premultiplied 32-bit word.
                let word = UnsafeRawPointer(row + 4 * x).loadUnaligned(as: UInt32.self)
                let a = UInt8(word >> 24), r = UInt8((word >> 16) & 0xFF), g = UInt8((word >> 8) & 0xFF), b = UInt8(word & 0xFF)
                let k = 4 * (y * w + x)
                if a == 255 {
                    rgba[k] = r; rgba[k + 1] = g; rgba[k + 2] = b
                } else if a == 0 {
                    rgba[k] = 0; rgba[k + 1] = 0; rgba[k + 2] = 0
                } else {
                    rgba[k] = UInt8(min(255, Int(r) * 255 / Int(a)))
                    rgba[k + 1] = UInt8(min(255, Int(g) * 255 / Int(a)))
                    rgba[k + 2] = UInt8(min(255, Int(b) * 255 / Int(a)))
                }
                rgba[k + 3] = a
            }
        }
        return Raster(width: w, height: h, rgba: rgba)
    }

    /// Writes `figure` to `path` in `format` (default: from the extension), atomically (Support's
    /// `writeAtomically`: a temporary file in the same folder, flushed, then renamed), so the file is whole or absent
    /// even if the process is killed.
    public static func write(_ figure: Figure, to path: String, format: ImageFormat? = nil) throws {
        let staged = try stage(figure, to: path, format: format)
        do { try staged.commit() } catch let error as OutputError {
            throw FigureWriteError(path: path, problem: error.problem)
        }
    }

    /// The first half of `write`: `figure` drawn and written to a temporary file beside `path`, for the caller to
    /// commit (flush and rename into place) or discard.
    public static func stage(_ figure: Figure, to path: String, format: ImageFormat? = nil) throws -> StagedFile {
        let url = URL(fileURLWithPath: path)
        guard let format = format ?? ImageFormat(pathExtension: url.pathExtension) else {
            throw FigureWriteError(path: path,
                                   problem: "unknown image format '\(url.pathExtension)' (use png, svg or pdf)")
        }
        let bytes: [UInt8]
        do { bytes = try encode(figure, format: format) } catch let error as FigureWriteError {
            throw FigureWriteError(path: path, problem: error.problem)
        }
        do { return try stageFile(Data(bytes), for: path) } catch let error as OutputError {
            throw FigureWriteError(path: path, problem: error.problem)
        }
    }

    /// The bytes of the file `figure` makes in `format`.
    public static func encode(_ figure: Figure, format: ImageFormat) throws -> [UInt8] {
        try encode(figure, format: format, through: { $0 })
    }

    /// `encode`, drawing through `wrap`'s renderer around the Cairo one (for tests that watch what is drawn).
    static func encode(_ figure: Figure, format: ImageFormat, through wrap: (Renderer) -> Renderer) throws -> [UInt8] {
        switch format {
        case .png:
            // Cairo's own PNG writer lets libpng try every row filter at full compression, which costs more than
            // drawing; PNGEncoder writes the same pixels unfiltered with a faster deflate, read straight from the
            // surface and laid out in its memory, which is not needed after.
            return try withImageSurface(of: figure, through: wrap) {
                try PNGEncoder.encode(surface: $0, dpi: figure.dpi, overwritingSurface: true)
            }
        case .svg, .pdf:
            // Vector surfaces are measured in points; scale so that figure code keeps drawing in pixels. They write
            // through a stream into memory, so that the one atomic writer puts the file in place.
            let buffer = StreamBuffer()
            let closure = Unmanaged.passUnretained(buffer).toOpaque()
            let append: cairo_write_func_t = { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                let target = Unmanaged<StreamBuffer>.fromOpaque(closure).takeUnretainedValue()
                target.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }
            figure.prepareLayout(measuringWith: CairoRenderer.textMeasurer())
            let (wPt, hPt) = (figure.width * 72, figure.height * 72)
            let surface = format == .svg
                ? cairo_svg_surface_create_for_stream(append, closure, wPt, hPt)!
                : cairo_pdf_surface_create_for_stream(append, closure, wPt, hPt)!
            if format == .pdf {
                // The page size records the figure's size; the keywords record the resolution it was drawn for.
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_KEYWORDS,
                                               "dpi=\(Int(figure.dpi.rounded())); style=\(figure.style.name)")
                cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "regionplot")
            }
            let context = cairo_create(surface)!
            cairo_scale(context, 72 / figure.dpi, 72 / figure.dpi)
            let renderer = CairoRenderer(context: context)
            renderer.rasterization = figure.rasterization
            figure.draw(on: wrap(renderer))
            cairo_destroy(context)
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            cairo_surface_destroy(surface)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw FigureWriteError(path: "", problem: String(cString: cairo_status_to_string(status)))
            }
            return withExtendedLifetime(buffer) { buffer.bytes }
        }
    }
}
