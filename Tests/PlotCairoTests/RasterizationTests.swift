import CCairo
import Foundation
import Plot
import Testing
@testable import PlotCairo

/// Big polygon collections (a partition's fills and outlines) go into SVG and PDF as one image, as matplotlib's
/// `rasterized=True` does; text, ticks and small collections stay vector, and PNG does not change.
@Suite struct RasterizationTests {
    /// A synthetic partition of `side` × `side` squares, each cut into two triangles of their own colours, with the
    /// squares' outlines over them: 3 · side² polygons in two collections, as `PartitionFigure` draws.
    static func partitionFigure(side: Int, rasterization: Rasterization = .auto) -> (Figure, Axes) {
        let figure = Figure(width: 4, height: 4, dpi: 100)
        figure.rasterization = rasterization
        let axes = figure.addAxes()
        var fills: [[(Double, Double)]] = [], colors: [Color] = [], squares: [[(Double, Double)]] = []
        let h = 1 / Double(side)
        for i in 0..<side {
            for j in 0..<side {
                let (x, y) = (Double(i) * h, Double(j) * h)
                fills.append([(x, y), (x + h, y), (x + h, y + h)])
                fills.append([(x, y), (x + h, y + h), (x, y + h)])
                // Smooth colours, as a network's output is: an image of them compresses as a partition's does.
                colors.append(Color(0.3 + 0.6 * x, 0.4 + 0.5 * y, 0.8))
                colors.append(Color(0.3 + 0.6 * y, 0.8, 0.4 + 0.5 * x))
                squares.append([(x, y), (x + h, y), (x + h, y + h), (x, y + h)])
            }
        }
        axes.polygons(fills, colors: colors, disjoint: true)
        axes.polygons(squares, colors: nil, edgeColor: Color(0.2, 0.2, 0.2, alpha: 0.75), edgeWidth: 0.3)
        // A sparse overlay that stays vector, and text.
        axes.segments([((0, 0), (1, 1))], color: .black, width: 1.5, label: "f = 0")
        axes.title = "Rasterised partition"
        axes.xLabel = "$x$"
        axes.yLabel = "$y$"
        axes.xLimits = (0, 1)
        axes.yLimits = (0, 1)
        return (figure, axes)
    }

    static func svg(_ figure: Figure) throws -> String {
        String(decoding: try FigureFile.encode(figure, format: .svg), as: UTF8.self)
    }

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The glyphs an SVG places: Cairo writes each character of text as a `<use>` of a glyph symbol.
    static func glyphUses(_ svg: String) -> Int { count("xlink:href=\"#glyph", in: svg) }

    @Test func aBigPartitionIsOneImageInSVGAndPDFWithItsTextStillText() throws {
        // 3 × 1600 = 4800 polygons: over `Rasterization.polygonsAbove`.
        let (figure, _) = Self.partitionFigure(side: 40)
        let (vectorFigure, _) = Self.partitionFigure(side: 40, rasterization: .never)
        let svg = try Self.svg(figure), vectorSVG = try Self.svg(vectorFigure)
        #expect(Self.count("<image", in: svg) == 1)
        #expect(Self.count("<image", in: vectorSVG) == 0)
        // Every polygon a path of its own when vector; the image is a fraction of that.
        #expect(svg.utf8.count < 300_000, "\(svg.utf8.count) bytes")
        #expect(svg.utf8.count * 2 < vectorSVG.utf8.count, "\(svg.utf8.count) against \(vectorSVG.utf8.count)")
        // The same text, glyph for glyph, in both: title, labels and ticks stayed vector.
        #expect(Self.glyphUses(svg) > 30)
        #expect(Self.glyphUses(svg) == Self.glyphUses(vectorSVG))
        // The decision boundary stays a vector path: a stroke 1.5 pt wide (2.083333 pixels at 100 dpi, the user
        // unit Cairo writes) is in the file.
        #expect(svg.contains("stroke-width:2.083333"))

        let pdf = try FigureFile.encode(figure, format: .pdf)
        let vectorPDF = try FigureFile.encode(vectorFigure, format: .pdf)
        let pdfText = String(decoding: pdf, as: UTF8.self)
        // One image and its alpha (an image of its own in PDF: the image is clear where no polygon is).
        #expect(Self.count("/Subtype /Image", in: pdfText) == 1 + Self.count("/SMask", in: pdfText))
        #expect(Self.count("/SMask", in: pdfText) <= 1)
        #expect(Self.count("/Subtype /Image", in: String(decoding: vectorPDF, as: UTF8.self)) == 0)
        #expect(pdf.count < 300_000, "\(pdf.count) bytes")
        #expect(pdfText.contains("/FontFile"), "the text's font is embedded: text stays text")
    }

    @Test func aSmallPartitionStaysVectorAndAFlagDecides() throws {
        // 3 × 100 polygons.
        let (small, _) = Self.partitionFigure(side: 10)
        let svg = try Self.svg(small)
        #expect(Self.count("<image", in: svg) == 0)
        #expect(Self.count("/Subtype /Image", in: String(decoding: try FigureFile.encode(small, format: .pdf),
                                                          as: UTF8.self)) == 0)
        // `always` makes even this one image.
        let (always, _) = Self.partitionFigure(side: 10, rasterization: .always)
        #expect(Self.count("<image", in: try Self.svg(always)) == 1)
    }

    @Test func thePNGIsTheSameUnderEveryPolicy() throws {
        let png = try FigureFile.encode(Self.partitionFigure(side: 40).0, format: .png)
        for policy in [Rasterization.never, .always] {
            #expect(try FigureFile.encode(Self.partitionFigure(side: 40, rasterization: policy).0, format: .png) == png)
        }
    }

    /// The embedded image, read back, shows what the PNG shows there.
    @Test func theEmbeddedImageMatchesThePNG() throws {
        let (figure, axes) = Self.partitionFigure(side: 40)
        let raster = FigureFile.raster(figure)
        let svg = try Self.svg(figure)
        let marker = "data:image/png;base64,"
        let start = try #require(svg.range(of: marker)).upperBound
        let end = try #require(svg[start...].firstIndex(of: "\""))
        let png = try #require(Data(base64Encoded: String(svg[start..<end])))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rp-raster-\(UUID().uuidString).png")
        try png.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let image = cairo_image_surface_create_from_png(file.path)!
        defer { cairo_surface_destroy(image) }
        #expect(cairo_surface_status(image) == CAIRO_STATUS_SUCCESS)
        let decoded = FigureFile.raster(of: image)
        // The image covers the axes box, rounded outwards to whole pixels, at the figure's resolution.
        let box = axes.transform(in: figure).box
        let scale = 1
        let (left, top) = (Int(box.x.rounded(.down)), Int(box.y.rounded(.down)))
        let (right, bottom) = (Int(box.maxX.rounded(.up)), Int(box.maxY.rounded(.up)))
        #expect(decoded.width == (right - left) * scale && decoded.height == (bottom - top) * scale)
        // Pixels wholly inside the box and off the vector diagonal (drawn over the image in the PNG).
        var total = 0.0, n = 0
        for y in (top + 1)..<(bottom - 1) {
            for x in (left + 1)..<(right - 1) where abs(Double(x - left) - Double(bottom - y)) > 6 {
                let (r, g, b, _) = raster.pixel(x, y)
                for (channel, value) in [r, g, b].enumerated() {
                    var sum = 0
                    for dy in 0..<scale {
                        for dx in 0..<scale {
                            let k = 4 * (((y - top) * scale + dy) * decoded.width + (x - left) * scale + dx)
                            sum += Int(decoded.rgba[k + channel])
                        }
                    }
                    total += abs(Double(sum) / Double(scale * scale) - Double(value))
                    n += 1
                }
            }
        }
        let mean = total / Double(n)
        #expect(mean < 4, "mean difference \(mean) of 255 over \(n) channel values")
    }
}
