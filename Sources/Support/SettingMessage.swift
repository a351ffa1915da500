/// A setting of a computation as the library knows it: a stable key, and the words a message uses for it.
///
/// The library never spells a front end's names for its settings (a command-line flag, a notebook's keyword): a
/// message names a ``Setting``, and each front end says it its own way (`regionplot` by its flag, through a table
/// keyed by `key`). The settings of each module are declared beside the code that reads them.
public struct Setting: Hashable, Sendable, CustomStringConvertible {
    /// Stable identifier, e.g. `learningRate`: what a front end maps to its own name.
    public var key: String
    /// How a message names the setting in the library's words, e.g. "the learning rate".
    public var words: String

    public init(key: String, words: String) {
        self.key = key
        self.words = words
    }

    public var description: String { words }
}

/// A message that may name settings, e.g. "the slice has too many regions; a smaller \(Setting.size) shrinks the
/// square". `description` reads it in the library's words; `text(naming:)` lets a front end name each setting
/// its own way (the command line: `--size`), so that the same error reads right in both places.
public struct SettingMessage: Sendable, Equatable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// Literal text, or a setting, with the value the message gives it (if any).
    enum Part: Sendable, Equatable {
        case text(String)
        case setting(Setting, value: String?)
    }

    var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: StringInterpolation) { parts = stringInterpolation.parts }

    /// The message with every setting named by `name`; a setting given a value reads "name value".
    public func text(naming name: (Setting) -> String) -> String {
        parts.map { part -> String in
            switch part {
            case .text(let text): return text
            case let .setting(setting, value): return name(setting) + (value.map { " " + $0 } ?? "")
            }
        }.joined()
    }

    /// The message in the library's words.
    public var description: String { text(naming: \.words) }

    /// Two messages are equal when they read the same in the library's words.
    public static func == (lhs: SettingMessage, rhs: SettingMessage) -> Bool {
        lhs.description == rhs.description
    }

    /// The settings the message names, in order.
    public var settings: [Setting] {
        parts.compactMap { if case .setting(let s, _) = $0 { return s } else { return nil } }
    }

    /// `self` followed by `other`.
    public static func + (lhs: SettingMessage, rhs: SettingMessage) -> SettingMessage {
        var joined = lhs
        joined.parts += rhs.parts
        return joined
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { parts.append(.text(literal)) }

        /// A setting by name.
        public mutating func appendInterpolation(_ setting: Setting) { parts.append(.setting(setting, value: nil)) }

        /// A setting with a value, e.g. `\(Setting.learningRate, 0.01)`: "--lr 0.01" on the command line.
        public mutating func appendInterpolation<T>(_ setting: Setting, _ value: T) {
            parts.append(.setting(setting, value: "\(value)"))
        }

        /// A message inside a message, its settings kept.
        public mutating func appendInterpolation(_ message: SettingMessage) { parts += message.parts }

        /// Any other value, as `String(describing:)` writes it.
        public mutating func appendInterpolation<T>(_ value: T) { parts.append(.text("\(value)")) }
    }
}

/// An error whose message may name settings: a front end reads `settingMessage` to name them its own way.
public protocol SettingMessageError: Error, CustomStringConvertible {
    var settingMessage: SettingMessage { get }
}

extension SettingMessageError {
    public var description: String { settingMessage.description }
}

/// A setting whose value the library refuses, in the library's words ("the hidden width must be at least 1, got
/// 0"): thrown by an experiment's `Settings.validate()`, the one place settings are checked.
public struct InvalidSetting: SettingMessageError, Equatable {
    public var setting: Setting
    public var settingMessage: SettingMessage

    /// `problem` follows the setting's name: "must be at least 1, got 0".
    public init(_ setting: Setting, _ problem: String) {
        self.setting = setting
        settingMessage = "\(setting) \(problem)"
    }

    /// A whole message about `setting`.
    public init(_ setting: Setting, message: SettingMessage) {
        self.setting = setting
        settingMessage = message
    }

    /// Checks `range.contains(value)`.
    public static func check<T: Comparable>(_ value: T, _ range: ClosedRange<T>, _ setting: Setting) throws {
        guard range.contains(value) else {
            throw InvalidSetting(setting, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }
}
