import Foundation
import Plot
@testable import PlotCairo
import Synchronization
import Testing

/// Text measured on many threads at once measures as on one: figures are laid out in parallel (the test suite,
/// a sweep drawing its runs' figures), and Cairo 1.16 shares one FreeType face between the sizes of a font, so
/// that a race there would hand one size's glyph advances to another and cache them for the process (a suspect
/// for the layout audit's near misses seen only in some runs; this test found no such race). Unhinted advances
/// are the font's own, scaled: a text's width over its size is the same at every size (the oracle).
@Test func textMeasuresTheSameOnManyThreads() {
    let texts = ["0.123 linear regions −1", "share of the run's batches trained", "net a → net b",
                 "f(x,y) = 2x + 2y + 1", "R² on the test samples"]
    let threads = 8
    // Sizes no other test measures, so that each thread creates and fills Cairo's fonts as the others do.
    let sizes = (0..<160).map { 4.0 + 0.0371 * Double($0) }
    let ratios = Mutex([[Double]](repeating: [], count: texts.count))
    DispatchQueue.concurrentPerform(iterations: threads) { t in
        let measurer = CairoRenderer.textMeasurer()
        var mine = [[Double]](repeating: [], count: texts.count)
        // Each thread through the sizes from its own start, so that different sizes meet at once.
        for k in 0..<sizes.count {
            let size = sizes[(k + t * sizes.count / threads) % sizes.count]
            for (i, text) in texts.enumerated() {
                mine[i].append(measurer.measure([TextRun(text)], size: size).width / size)
            }
        }
        ratios.withLock { all in for i in texts.indices { all[i] += mine[i] } }
    }
    ratios.withLock { all in
        for (text, r) in zip(texts, all) {
            let (lo, hi) = (r.min() ?? 0, r.max() ?? 0)
            #expect(hi - lo <= 1e-6 * hi, "\"\(text)\": width per point from \(lo) to \(hi) over sizes and threads")
        }
    }
}
