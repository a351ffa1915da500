// swift-tools-version:6.1
import PackageDescription

/// The library targets are optimised in debug builds too, because the test suite runs them: unspecialised generic
/// code made a debug build's figure layout (measured several times over for every figure) and numerical loops
/// several times slower. `-O` keeps the arithmetic bit for bit (Swift never reassociates or fuses floating-point
/// operations), overflow and bounds checks, and `@testable import` (SwiftPM still passes -enable-testing).
let optimizedInDebugBuilds: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "regionplot",
    products: [
        .executable(name: "regionplot", targets: ["regionplot"]),
        .library(name: "RegionAnalysis", targets: ["RegionAnalysis"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Tests only; its SnapshotTesting target has no dependencies of its own, so swift-syntax is never built.
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.17.0"),
        // The ONNX reader: only the SwiftProtobuf runtime library; its code generator is never built here. 1.31 is the
        // first release whose runtime has `_NameMap(bytecode:)`, which the committed generated code calls.
        // No traits: its default BinaryDelimitedStreams trait is the one part of the runtime that imports all of
        // Foundation (Input/OutputStream), which would link Foundation and ICU into the static binary.
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.31.0", traits: []),
    ],
    targets: [
        // MARK: - Public API

        /// No domain knowledge: typed reports to JSON, atomic file writes, the one parallel work queue, a stopwatch,
        /// and the ComputeContext (threads) that is passed to whatever runs in parallel.
        .target(name: "Support", swiftSettings: optimizedInDebugBuilds),
        /// Row-major `Matrix`, BLAS products, LAPACKE least squares, the seeded generator.
        .target(name: "LinearAlgebra", dependencies: ["COpenBLAS"], swiftSettings: optimizedInDebugBuilds),
        /// The network representation (dense, convolution, pooling, residual sums) and its forward pass; dense
        /// layers, losses, optimizers, MLPs, the notebooks' tasks; safetensors, ONNX and NumPy `.npy` readers.
        .target(
            name: "NeuralNet",
            dependencies: [
                "Support", "LinearAlgebra", "ONNXSchema", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            swiftSettings: optimizedInDebugBuilds
        ),
        /// Gradient probes, activation patterns, deduplication, cross-network regression.
        .target(name: "RegionAnalysis", dependencies: ["Support", "LinearAlgebra", "NeuralNet"],
                swiftSettings: optimizedInDebugBuilds),
        /// Figures as trees of axes and artists, with a `Renderer` protocol; knows nothing of Cairo.
        .target(name: "Plot", dependencies: ["Support"], swiftSettings: optimizedInDebugBuilds),
        /// The Cairo renderer: PNG, SVG and PDF files, and perceptual hashes of rasters.
        .target(name: "PlotCairo", dependencies: ["Support", "Plot", "CCairo"], swiftSettings: optimizedInDebugBuilds),
        /// One file per notebook: run it and return its results, report and figures.
        .target(name: "Experiments",
                dependencies: ["Support", "LinearAlgebra", "NeuralNet", "RegionAnalysis", "Plot"],
                // The bundled digits' .npy files (scripts/make_digits_data.py) are compiled in as
                // DigitsBundledFiles.swift (scripts/embed_digits_data.py): a SwiftPM resource needs Bundle, which
                // would link all of Foundation into the binary.
                exclude: ["Digits/Data"],
                swiftSettings: optimizedInDebugBuilds),
        /// The command-line tool.
        .executableTarget(
            name: "regionplot",
            dependencies: [
                "Support", "Experiments", "RegionAnalysis", "NeuralNet", "LinearAlgebra", "Plot", "PlotCairo",
                "CProcessControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // The release binary carries no symbol table or debug sections (12 MB of the static build): a crash
            // report is not read from users' binaries, and `swift build` (debug) keeps everything for debugging.
            linkerSettings: [.unsafeFlags(["-Xlinker", "--strip-all"], .when(configuration: .release))]
        ),

        /// Fuzz targets for the file readers and for the analysis behind each (slice, exact and predict on what a
        /// reader parsed, with small budgets): libFuzzer entry points, and replay tools in ordinary builds
        /// (scripts/fuzz.sh builds and runs them; the tests replay the committed corpora).
        .executableTarget(name: "FuzzReaders",
                          dependencies: ["NeuralNet", "RegionAnalysis", "Experiments", "LinearAlgebra", "Support"],
                          path: "Fuzz/FuzzReaders"),

        // MARK: - Implementation details

        /// ONNX's protobuf schema as Swift, generated once by `scripts/generate_onnx_swift.sh` and committed;
        /// its own target so that NeuralNet's incremental builds do not recompile it. Exports no API of its own.
        .target(
            name: "ONNXSchema",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),

        // MARK: - Implementation details: C libraries from the system

        /// prctl(PR_SET_PDEATHSIG), which Swift cannot call (variadic): a batch's children die with it.
        .target(name: "CProcessControl"),

        .systemLibrary(
            name: "CCairo",
            pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"])]
        ),
        /// zlib's inflate, for deflated members of .npz archives (np.savez_compressed).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),

        // MARK: - Tests

        /// Helpers every test target shares (temporary folders removed at exit).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        /// The main job's results on the committed fixture nets, for the figure tests of Experiments and PlotCairo.
        .target(name: "ExperimentFixtures", dependencies: ["Experiments"], path: "Tests/ExperimentFixtures"),

        .testTarget(name: "SupportTests", dependencies: ["TestSupport", "Support"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["TestSupport", "LinearAlgebra"]),
        .testTarget(name: "PlotTests", dependencies: ["TestSupport", "Plot"]),
        /// The Cairo renderer's own kernels (deflate, polygon coverage, the stamp compositor) against zlib, Cairo and
        /// their slow references, on the main job's figures (ExperimentFixtures).
        .testTarget(name: "PlotCairoTests",
                    dependencies: ["TestSupport", "ExperimentFixtures", "Experiments", "Plot", "PlotCairo", "CCairo"]),
        .testTarget(
            name: "NeuralNetTests",
            dependencies: [
                "TestSupport",
                "NeuralNet", "LinearAlgebra", "ONNXSchema",
                // To build hostile ONNX models in memory.
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "RegionAnalysisTests", dependencies: ["TestSupport", "Support", "RegionAnalysis", "NeuralNet", "LinearAlgebra"]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: [
                "TestSupport", "ExperimentFixtures",
                "Support", "Experiments", "RegionAnalysis", "NeuralNet", "LinearAlgebra", "Plot", "PlotCairo",
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
            ],
            exclude: ["Fixtures", "__Snapshots__"]
        ),
        /// End-to-end: runs the built `regionplot` binary and checks its output, files and exit codes, decoding its
        /// reports as Experiments' report types. Builds its hostile weights files with NeuralNet's writers; replays
        /// the analysis fuzz corpus.
        .testTarget(name: "regionplotTests",
                    dependencies: ["TestSupport", "regionplot", "FuzzReaders", "NeuralNet", "LinearAlgebra",
                                   "Experiments",
                                   // ParsingTests parses commands in-process.
                                   .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)
