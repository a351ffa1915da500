import ArgumentParser
import FoundationEssentials
import NeuralNet
import Support

// The provenance every report carries (`inputs`, `settings`, `program`), read from the parsed command itself so
// that a flag added later is recorded without anyone remembering to.

extension Provenance {
    /// The provenance of `command`'s run: its files (role and path as given; nil paths are skipped), and every
    /// option and flag with the value the run used.
    init(command: any ParsableArguments, inputs: [(role: String, path: String?)]) throws {
        let files = try inputs.compactMap { role, path -> InputFile? in
            guard let path else { return nil }
            var file = try InputFile(role: role, path: path)
            if role.hasPrefix("model") || role.hasPrefix("net") {
                file.omittedOutputActivation = (try? ModelFile.read(path: path))?.omittedOutputActivation
            } else if let array = try? DataFile.read(path: path) {
                file.shape = array.shape
                file.dtype = array.dataType.rawValue
            }
            return file
        }
        self.init(inputs: files, settings: Self.settings(of: command))
    }

    /// Every option, flag and argument of `arguments` (option groups flattened), keyed by the flag's default long
    /// name (the property name in kebab case: `exactRuns` → `exact-runs`).
    static func settings(of arguments: Any) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        for child in Mirror(reflecting: arguments).children {
            guard let label = child.label else { continue }
            if let group = child.value as? any RecordedGroup {
                pairs += settings(of: group.groupValue)
            } else if let setting = child.value as? any RecordedSetting {
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                pairs.append((kebabCase(name), jsonValue(of: setting.settingValue)))
            }
        }
        return pairs
    }

    static func kebabCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase, !out.isEmpty { out += "-" }
            out += character.lowercased()
        }
        return out
    }

    /// A setting's value as JSON: numbers, booleans, text, lists, null for an option not given.
    static func jsonValue(of value: Any) -> JSONValue {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return .null }
            return jsonValue(of: wrapped)
        }
        switch value {
        case let v as Bool: return .bool(v)
        case let v as Int: return .int(v)
        case let v as UInt64: return v <= UInt64(Int.max) ? .int(Int(v)) : .string(String(v))
        case let v as Double: return .number(v)
        case let v as String: return .string(v)
        case let v as [Any]: return .array(v.map(jsonValue))
        // A choice (`--style paper`) as typed: its raw value, not its Swift case name.
        case let v as any RawRepresentable: return jsonValue(of: v.rawValue)
        default: return .string("\(value)")
        }
    }
}

/// A parsed option, flag or argument whose value a report records.
protocol RecordedSetting { var settingValue: Any { get } }
/// An option group, whose own options a report records.
protocol RecordedGroup { var groupValue: Any { get } }

extension Option: RecordedSetting { var settingValue: Any { wrappedValue } }
extension Flag: RecordedSetting { var settingValue: Any { wrappedValue } }
extension Argument: RecordedSetting { var settingValue: Any { wrappedValue } }
extension OptionGroup: RecordedGroup { var groupValue: Any { wrappedValue } }

/// `--version`: the program's version, the git commit when known, and the build mode.
struct VersionText {
    static var text: String {
        let program = Provenance.Program()
        return "regionplot \(program.version) (\(program.buildMode) build"
            + (program.commit.map { ", commit \($0)" } ?? "") + ")"
    }
}
