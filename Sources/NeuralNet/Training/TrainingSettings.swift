import Support

/// The training settings that messages name (each front end says them its own way: the CLI by its flags).
extension Setting {
    public static let width = Setting(key: "width", words: "width")
    public static let learningRate = Setting(key: "learningRate", words: "learning rate")
    public static let epochs = Setting(key: "epochs", words: "epochs")
    public static let maxAttempts = Setting(key: "maxAttempts", words: "attempt limit")
    /// The activation stated for a safetensors file.
    public static let activation = Setting(key: "activation", words: "an activation")
}
