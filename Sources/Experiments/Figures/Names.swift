/// The user's names for what a command draws and tabulates: the two networks, the classes and the figure title.
/// `slice`, `compare`, `digits` and `predict` take them from `--label-a/--label-b`, `--class-names` and `--title`.
public struct Names: Sendable, Equatable {
    /// Network a's name (default "a"; the commands default it to the model file's stem).
    public var a: String
    /// Network b's name.
    public var b: String
    /// One name per class; nil: the class numbers.
    public var classes: [String]?
    /// A title replacing the main figure's own.
    public var title: String?

    public init(a: String = "a", b: String = "b", classes: [String]? = nil, title: String? = nil) {
        self.a = a
        self.b = b
        self.classes = classes
        self.title = title
    }

    /// Class `k`'s name: its given name, or "class k".
    public func className(_ k: Int) -> String {
        guard let classes, classes.indices.contains(k) else { return "class \(k)" }
        return classes[k]
    }

    /// Class `k`'s short name for ticks and table cells: its given name, or k.
    public func classLabel(_ k: Int) -> String {
        guard let classes, classes.indices.contains(k) else { return String(k) }
        return classes[k]
    }
}
