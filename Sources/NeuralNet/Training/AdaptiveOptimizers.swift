/// Adam and AdamW exactly as PyTorch's `torch.optim.Adam` / `AdamW` define them (no amsgrad, no maximize):
///
///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
///     m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ)
///     p ← p − lr · m̂ / (√v̂ + ε)
///
/// Adam adds the weight decay to the gradient (g ← g + λ p, L2); AdamW decays the parameter itself first
/// (p ← p (1 − lr λ)), which is "decoupled" weight decay.
public struct AdamOptimizer<Scalar: BinaryFloatingPoint & Sendable>: Optimizer {
    public var learningRate: Double
    public var beta1: Double, beta2: Double, epsilon: Double
    public var weightDecay: Double
    /// AdamW's decoupled decay instead of Adam's L2 term.
    public var decoupled: Bool
    /// Steps taken.
    public var step: Int { stepCount }
    @usableFromInline var stepCount = 0
    @usableFromInline var m: [Scalar], v: [Scalar]

    /// An optimizer for `parameterCount` parameters with PyTorch's defaults (betas 0.9, 0.999, eps 1e-8).
    /// For AdamW pass `decoupled: true` and the weight decay (PyTorch's AdamW defaults to 0.01; the grokking
    /// notebook uses 0).
    public init(parameterCount: Int, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0, decoupled: Bool = false) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        m = [Scalar](repeating: 0, count: parameterCount)
        v = [Scalar](repeating: 0, count: parameterCount)
    }

    /// One step on parameters and gradient held in buffers (no copies).
    @inlinable
    public mutating func update(_ parameters: UnsafeMutableBufferPointer<Scalar>, gradient: UnsafeBufferPointer<Scalar>) {
        precondition(parameters.count == m.count && gradient.count == m.count, "parameter count changed")
        stepCount += 1
        let correction1 = 1 - pow(beta1, Double(stepCount)), correction2 = 1 - pow(beta2, Double(stepCount))
        // PyTorch: denom = √v / √(1 − β₂ᵗ) + ε; step size = lr / (1 − β₁ᵗ).
        let stepSize = Scalar(learningRate / correction1), rootCorrection2 = Scalar(correction2.squareRoot())
        let b1 = Scalar(beta1), b2 = Scalar(beta2), eps = Scalar(epsilon)
        let decay = Scalar(weightDecay), shrink = Scalar(1 - learningRate * weightDecay)
        let decoupled = self.decoupled
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                // Two loops rather than a branch inside one, so that each vectorises.
                if decoupled {
                    for k in 0..<parameters.count { parameters[k] *= shrink }
                }
                let l2 = decoupled ? 0 : decay
                var start = 0
                if Scalar.self == Float.self {
                    // Eight lanes at a time: the scalar loop does not vectorise on its own (sqrt and division).
                    start = AdamOptimizer.updateEightLanes(
                        count: parameters.count, parameters: UnsafeMutableRawPointer(parameters.baseAddress!),
                        gradient: UnsafeRawPointer(gradient.baseAddress!), m: UnsafeMutableRawPointer(m.baseAddress!),
                        v: UnsafeMutableRawPointer(v.baseAddress!),
                        constants: (Float(stepSize), Float(rootCorrection2), Float(b1), Float(b2), Float(eps), Float(l2)))
                }
                for k in start..<parameters.count {
                    let g = gradient[k] + l2 * parameters[k]
                    m[k] = b1 * m[k] + (1 - b1) * g
                    v[k] = b2 * v[k] + (1 - b2) * g * g
                    parameters[k] -= stepSize * m[k] / (v[k].squareRoot() / rootCorrection2 + eps)
                }
            }
        }
    }
}

extension AdamOptimizer {
    /// The Adam moment and parameter update on float32 buffers, eight lanes at a time; returns how many entries
    /// it did (the rest are left to the scalar loop).
    @usableFromInline
    static func updateEightLanes(count: Int, parameters: UnsafeMutableRawPointer, gradient: UnsafeRawPointer,
                                 m: UnsafeMutableRawPointer, v: UnsafeMutableRawPointer,
                                 constants c: (stepSize: Float, rootCorrection2: Float, beta1: Float, beta2: Float, epsilon: Float, l2: Float)) -> Int {
        typealias Lanes = SIMD8<Float>
        let stepSize = Lanes(repeating: c.stepSize), root = Lanes(repeating: c.rootCorrection2)
        let b1 = Lanes(repeating: c.beta1), b2 = Lanes(repeating: c.beta2)
        let eps = Lanes(repeating: c.epsilon), l2 = Lanes(repeating: c.l2)
        let one = Lanes(repeating: 1)
        let blocks = count / 8
        for block in 0..<blocks {
            let offset = block * 32
            let pk = parameters.loadUnaligned(fromByteOffset: offset, as: Lanes.self)
            let g = gradient.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + l2 * pk
            let mk = b1 * m.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + (one - b1) * g
            let vk = b2 * v.loadUnaligned(fromByteOffset: offset, as: Lanes.self) + (one - b2) * g * g
            m.storeBytes(of: mk, toByteOffset: offset, as: Lanes.self)
            v.storeBytes(of: vk, toByteOffset: offset, as: Lanes.self)
            parameters.storeBytes(of: pk - stepSize * mk / (vk.squareRoot() / root + eps), toByteOffset: offset, as: Lanes.self)
        }
        return blocks * 8
    }
}

/// Adam/AdamW in double precision.
public typealias Adam = AdamOptimizer<Double>
/// Adam/AdamW in single precision, as PyTorch runs it on float32 parameters.
public typealias Adam32 = AdamOptimizer<Float>

/// RMSprop as PyTorch's `torch.optim.RMSprop` defines it with its defaults (alpha 0.99, eps 1e-8, no momentum,
/// not centred, no weight decay): v ← α v + (1 − α) g²,  p ← p − lr · g / (√v + ε).
public struct RMSprop: Optimizer {
    public var learningRate: Double
    public var alpha: Double, epsilon: Double
    private var v: [Double]

    public init(parameterCount: Int, learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        v = [Double](repeating: 0, count: parameterCount)
    }

    /// One step on parameters and gradient held in buffers (no copies).
    public mutating func update(_ parameters: UnsafeMutableBufferPointer<Double>,
                                gradient: UnsafeBufferPointer<Double>) {
        precondition(parameters.count == v.count && gradient.count == v.count, "parameter count changed")
        for k in parameters.indices {
            let g = gradient[k]
            v[k] = alpha * v[k] + (1 - alpha) * g * g
            parameters[k] -= learningRate * g / (v[k].squareRoot() + epsilon)
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
