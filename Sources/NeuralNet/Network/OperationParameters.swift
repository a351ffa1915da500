import LinearAlgebra

// The parameters of the operations a `Network` is made of, and the sizes and shapes they imply.

/// A size in the two spatial directions.
public struct Extent2D: Hashable, Sendable {
    /// Along the height (rows).
    public var height: Int
    /// Along the width (columns).
    public var width: Int

    /// A size of `height` rows and `width` columns.
    public init(height: Int, width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size in both directions.
    public static func square(_ n: Int) -> Extent2D { Extent2D(height: n, width: n) }
}

/// Zero padding (or, for max pooling, padding that never wins) around a `[C, H, W]` sample.
public struct Padding2D: Hashable, Sendable {
    /// Rows added above and below, columns added left and right.
    public var top: Int, left: Int, bottom: Int, right: Int

    /// Padding on each side (ONNX's `pads` are `[top, left, bottom, right]`).
    public init(top: Int, left: Int, bottom: Int, right: Int) {
        (self.top, self.left, self.bottom, self.right) = (top, left, bottom, right)
    }

    /// No padding.
    public static let zero = Padding2D(top: 0, left: 0, bottom: 0, right: 0)
    /// `n` on every side (PyTorch's `padding=n`).
    public static func uniform(_ n: Int) -> Padding2D { Padding2D(top: n, left: n, bottom: n, right: n) }
}

/// A 2-D convolution (cross-correlation, as PyTorch and ONNX define it), grouped or not.
public struct Convolution2D: Equatable, Sendable {
    /// Weights `[outputChannels, inputChannels / groups, kernel.height, kernel.width]`, row-major (PyTorch's
    /// `weight`).
    public var weight: [Double]
    /// One bias per output channel.
    public var bias: [Double]
    /// O, the number of filters.
    public var outputChannels: Int
    /// C, the channels of the input sample `[C, H, W]`.
    public var inputChannels: Int
    /// The filter's height and width.
    public var kernel: Extent2D
    /// The step between output positions, in input pixels.
    public var stride: Extent2D
    /// Zeros around the input.
    public var padding: Padding2D
    /// The step between filter taps, in input pixels (1: adjacent).
    public var dilation: Extent2D
    /// Channel groups: filter `o` reads only the `inputChannels / groups` input channels of its group
    /// `o / (outputChannels / groups)` (PyTorch's `groups`; depthwise when it equals `inputChannels`).
    public var groups: Int

    /// A convolution; sizes are checked when it joins a ``Network``.
    public init(weight: [Double], bias: [Double], outputChannels: Int, inputChannels: Int, kernel: Extent2D,
                stride: Extent2D = .square(1), padding: Padding2D = .zero, dilation: Extent2D = .square(1),
                groups: Int = 1) {
        self.weight = weight
        self.bias = bias
        self.outputChannels = outputChannels
        self.inputChannels = inputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// The input channels one filter reads.
    public var channelsPerGroup: Int { inputChannels / max(groups, 1) }
}

/// The window of a max or average pooling.
public struct Pooling2D: Hashable, Sendable {
    /// The window's height and width.
    public var kernel: Extent2D
    /// The step between windows.
    public var stride: Extent2D
    /// Padding around the input, smaller than the window on every side.
    public var padding: Padding2D
    /// Average pooling only: whether padded positions count in the divisor (PyTorch's `count_include_pad`,
    /// true by default there).
    public var countIncludesPadding: Bool

    /// A window; PyTorch's `MaxPool2d(k)` and `AvgPool2d(k)` have `stride` = `kernel`.
    public init(kernel: Extent2D, stride: Extent2D, padding: Padding2D = .zero, countIncludesPadding: Bool = true) {
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.countIncludesPadding = countIncludesPadding
    }
}

/// `y = scale ⊙ x + shift`, with one pair per channel (the first axis of the sample) or one per element.
///
/// A sample of shape `[C, H, W]` takes `scale.count == C` (per channel) or `C·H·W` (per element); a `[D]` sample
/// takes `D`. A scalar is stored once per channel.
public struct ScaleShift: Equatable, Sendable {
    /// The factors, one per channel or per element.
    public var scale: [Double]
    /// The offsets, as many as the factors.
    public var shift: [Double]

    /// A scale and shift; the counts are checked when it joins a ``Network``.
    public init(scale: [Double], shift: [Double]) {
        self.scale = scale
        self.shift = shift
    }
}

// MARK: - Sizes

/// A network, a layer or an operation that does not fit together; the message says where and why.
public struct NetworkError: Error, CustomStringConvertible, Equatable {
    /// The problem, in words.
    public var message: String
    /// An error with the given message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Overflow-checked arithmetic on sizes: every product of dimensions in this module goes through here, so that
/// a hostile file gives an error rather than a trap.
enum Size {
    /// The largest element count of one sample's value, or of a convolution's unfolded input: BLAS takes 32-bit
    /// sizes.
    static let maximumCount = Int(Int32.max)

    /// `a · b`, or nil on overflow or a negative factor.
    static func product(_ a: Int, _ b: Int) -> Int? {
        guard a >= 0, b >= 0 else { return nil }
        let (p, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : p
    }

    /// The product of `dims`, or nil on overflow or a negative dimension.
    static func product(_ dims: [Int]) -> Int? {
        var p = 1
        for d in dims {
            guard let q = product(p, d) else { return nil }
            p = q
        }
        return p
    }

    /// `a + b`, or nil on overflow.
    static func sum(_ a: Int, _ b: Int) -> Int? {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : s
    }

    /// The element count of a value of shape `dims` (rank at least 1), checked to be positive and at most
    /// ``maximumCount``.
    static func count(of dims: [Int], what: @autoclosure () -> String) throws(NetworkError) -> Int {
        guard !dims.isEmpty, dims.count <= 64, dims.allSatisfy({ $0 > 0 }) else {
            throw NetworkError("\(what()) has shape \(dims); 1 to 64 positive sizes are needed")
        }
        guard let n = product(dims), n <= maximumCount else {
            throw NetworkError("\(what()) has shape \(dims), more than \(maximumCount) elements")
        }
        return n
    }
}

/// The output length of a window sliding along one axis, or nil when no window fits.
func slidingOutputLength(input: Int, kernel: Int, stride: Int, padBefore: Int, padAfter: Int, dilation: Int) -> Int? {
    guard input > 0, kernel > 0, stride > 0, dilation > 0, padBefore >= 0, padAfter >= 0,
          let span0 = Size.product(dilation, kernel - 1), let span = Size.sum(span0, 1),
          let padded0 = Size.sum(input, padBefore), let padded = Size.sum(padded0, padAfter), padded >= span
    else { return nil }
    return (padded - span) / stride + 1
}

extension Convolution2D {
    /// The `[outputChannels, H', W']` this convolution makes of a `[inputChannels, H, W]` sample.
    public func outputShape(for x: [Int]) throws(NetworkError) -> [Int] {
        guard x.count == 3, x[0] == inputChannels else {
            throw NetworkError("a convolution with \(inputChannels) input channels cannot take shape \(x)")
        }
        guard groups >= 1, inputChannels % groups == 0, outputChannels % groups == 0 else {
            throw NetworkError("a convolution of \(inputChannels) into \(outputChannels) channels cannot have "
                + "\(groups) groups; both must be multiples of it")
        }
        guard outputChannels > 0, kernel.height > 0, kernel.width > 0,
              let k = Size.product([outputChannels, channelsPerGroup, kernel.height, kernel.width]),
              weight.count == k, bias.count == outputChannels
        else {
            throw NetworkError("convolution weights (\(weight.count)) and bias (\(bias.count)) do not fit "
                + "\(outputChannels)×\(channelsPerGroup)×\(kernel.height)×\(kernel.width)")
        }
        guard weight.allSatisfy(\.isFinite), bias.allSatisfy(\.isFinite) else {
            throw NetworkError("convolution weights are not finite")
        }
        guard let h = slidingOutputLength(input: x[1], kernel: kernel.height, stride: stride.height,
                                          padBefore: padding.top, padAfter: padding.bottom, dilation: dilation.height),
              let w = slidingOutputLength(input: x[2], kernel: kernel.width, stride: stride.width,
                                          padBefore: padding.left, padAfter: padding.right, dilation: dilation.width)
        else {
            throw NetworkError("a \(kernel.height)×\(kernel.width) convolution "
                + "(stride \(stride.height)×\(stride.width), "
                + "dilation \(dilation.height)×\(dilation.width)) does not fit input \(x) with its padding")
        }
        let output = [outputChannels, h, w]
        _ = try Size.count(of: output, what: "a convolution's output")
        // The unfolded input (im2col) the fast kernel builds: C·kh·kw rows, H'·W' columns.
        guard let columns = Size.product([inputChannels, kernel.height, kernel.width, h, w]),
              columns <= Size.maximumCount else {
            throw NetworkError("convolution of \(x) into \(output) is too large to unfold")
        }
        return output
    }
}

extension Pooling2D {
    /// The `[C, H', W']` this pooling makes of a `[C, H, W]` sample. Padding must be smaller than the window, so
    /// that every window holds at least one real element (as PyTorch requires).
    func outputShape(for x: [Int], kind: String) throws(NetworkError) -> [Int] {
        guard x.count == 3 else { throw NetworkError("\(kind) needs a [C, H, W] input, got \(x)") }
        guard padding.top < kernel.height, padding.bottom < kernel.height,
              padding.left < kernel.width, padding.right < kernel.width else {
            throw NetworkError("\(kind) padding must be smaller than its \(kernel.height)×\(kernel.width) window")
        }
        guard let h = slidingOutputLength(input: x[1], kernel: kernel.height, stride: stride.height,
                                          padBefore: padding.top, padAfter: padding.bottom, dilation: 1),
              let w = slidingOutputLength(input: x[2], kernel: kernel.width, stride: stride.width,
                                          padBefore: padding.left, padAfter: padding.right, dilation: 1)
        else { throw NetworkError("a \(kernel.height)×\(kernel.width) \(kind) does not fit input \(x)") }
        return [x[0], h, w]
    }
}
