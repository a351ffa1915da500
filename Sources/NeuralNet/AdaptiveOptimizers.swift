/// Adam and AdamW exactly as PyTorch's `torch.optim.Adam` / `AdamW` define them (no amsgrad, no maximize):
///
///     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
///     m̂ = m / (1 − β₁ᵗ),       v̂ = v / (1 − β₂ᵗ)
///     p ← p − lr · m̂ / (√v̂ + ε)
///
/// Adam adds the weight decay to the gradient (g ← g + λ p, L2); AdamW decays the parameter itself first
/// (p ← p (1 − lr λ)), which is "decoupled" weight decay.
public struct Adam: Sendable {
    public var learningRate: Double
    public var beta1: Double, beta2: Double, epsilon: Double
    public var weightDecay: Double
    /// AdamW's decoupled decay instead of Adam's L2 term.
    public var decoupled: Bool
    /// Steps taken.
    public private(set) var step = 0
    private var m: [Double], v: [Double]

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
        m = [Double](repeating: 0, count: parameterCount)
        v = [Double](repeating: 0, count: parameterCount)
    }

    /// One step on a flat parameter vector with its gradient.
    public mutating func update(_ parameters: inout [Double], gradient: [Double]) {
        precondition(parameters.count == m.count && gradient.count == m.count, "parameter count changed")
        step += 1
        let correction1 = 1 - pow(beta1, Double(step)), correction2 = 1 - pow(beta2, Double(step))
        for k in parameters.indices {
            var g = gradient[k]
            if decoupled {
                parameters[k] *= 1 - learningRate * weightDecay
            } else if weightDecay != 0 {
                g += weightDecay * parameters[k]
            }
            m[k] = beta1 * m[k] + (1 - beta1) * g
            v[k] = beta2 * v[k] + (1 - beta2) * g * g
            // PyTorch: denom = √v / √(1 − β₂ᵗ) + ε; step size = lr / (1 − β₁ᵗ).
            let denominator = (v[k].squareRoot() / correction2.squareRoot()) + epsilon
            parameters[k] -= learningRate / correction1 * m[k] / denominator
        }
    }
}

/// RMSprop as PyTorch's `torch.optim.RMSprop` defines it with its defaults (alpha 0.99, eps 1e-8, no momentum,
/// not centred, no weight decay): v ← α v + (1 − α) g²,  p ← p − lr · g / (√v + ε).
public struct RMSprop: Sendable {
    public var learningRate: Double
    public var alpha: Double, epsilon: Double
    private var v: [Double]

    public init(parameterCount: Int, learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        v = [Double](repeating: 0, count: parameterCount)
    }

    /// One step on a flat parameter vector with its gradient.
    public mutating func update(_ parameters: inout [Double], gradient: [Double]) {
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
