public import KaizenCore

/// A scikit-learn model saved by skops (what `mlflow.sklearn` writes by default: `model.skops`, a ZIP of
/// `schema.json` and `.npy` arrays), read without running anything: every node of the schema must use a loader Kaizen
/// knows (objects, dicts, lists, tuples, JSON values, arrays), and every object must be of a class on the allow-list
/// of estimators Kaizen computes; anything else (a function, a method, a type, an unknown class, a pickled array) is
/// refused at load, named.
public struct SkopsDocument: Sendable {
    /// One node of the schema, evaluated.
    public indirect enum Value: Sendable {
        case json(JSONValue)
        case array(NPYArray)
        case list([Value])
        case dict([String: Value])
        /// An object of `className` (`module.Class`) with its attributes.
        case object(className: String, fields: [String: Value])

        public var fields: [String: Value]? {
            if case .object(_, let fields) = self { fields } else { nil }
        }

        /// The string a JSON node holds.
        public var string: String? {
            if case .json(.string(let text)) = self { text } else { nil }
        }

        public var className: String? {
            if case .object(let name, _) = self { name } else { nil }
        }
    }

    public let root: Value

    public static let maximumDepth = 64

    /// Types a model may name as data (dtypes, a defaultdict's factory); naming one builds nothing.
    public static let allowedTypes: Set<String> = [
        "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.object_", "numpy.str_",
        "builtins.str", "builtins.int", "builtins.float", "builtins.object", "collections.OrderedDict",
    ]
    /// Functions a model may name: scikit-learn's input check, which a `FunctionTransformer` passing columns through
    /// holds. Kaizen knows what each does and runs none of them.
    public static let allowedFunctions: Set<String> = ["sklearn.utils.validation.check_array"]

    public init(bytes: [UInt8], allowedClasses: Set<String>) throws(FlavorError) {
        let archive = try ZipArchive(bytes: bytes)
        let schema: JSONValue
        do { schema = try JSONValue(parsing: try archive.data("schema.json")) } catch let error as FlavorError {
            throw error
        } catch {
            throw FlavorError("The skops schema is not valid JSON: \(error)")
        }
        var reader = Reader(archive: archive, allowed: allowedClasses)
        self.root = try reader.value(schema, depth: 0)
    }

    struct Reader {
        let archive: ZipArchive
        let allowed: Set<String>

        mutating func value(_ node: JSONValue, depth: Int) throws(FlavorError) -> Value {
            guard depth <= SkopsDocument.maximumDepth else {
                throw FlavorError("The skops schema nests deeper than \(SkopsDocument.maximumDepth)")
            }
            guard let loader = node["__loader__"]?.stringValue else {
                throw FlavorError("A skops node has no __loader__")
            }
            let module = node["__module__"]?.stringValue ?? "?"
            let name = node["__class__"]?.stringValue ?? "?"
            let className = "\(module).\(name)"
            let content = node["content"]
            switch loader {
            case "JsonNode":
                guard let text = content?.stringValue else { throw FlavorError("A skops JSON node has no content") }
                // Python's json writes floats that are not finite as bare words.
                switch text {
                case "NaN": return .json(.double(.nan))
                case "Infinity": return .json(.double(.infinity))
                case "-Infinity": return .json(.double(-.infinity))
                default: break
                }
                do { return .json(try JSONValue(parsing: text)) } catch {
                    throw FlavorError("A skops JSON node holds invalid JSON: \(error)")
                }
            case "ListNode", "TupleNode":
                guard let items = content?.arrayValue else { throw FlavorError("A skops \(loader) has no list") }
                var values: [Value] = []
                for item in items { values.append(try value(item, depth: depth + 1)) }
                return .list(values)
            case "DictNode":
                guard let fields = content?.objectFields else { throw FlavorError("A skops DictNode has no fields") }
                var values: [String: Value] = [:]
                for (key, item) in fields { values[key] = try value(item, depth: depth + 1) }
                return .dict(values)
            case "NdArrayNode":
                if let file = node["file"]?.stringValue {
                    guard node["type"]?.stringValue ?? "numpy" == "numpy" else {
                        throw FlavorError("The skops array '\(file)' is stored as \(node["type"]?.stringValue ?? "?")")
                    }
                    return .array(try NPYArray(bytes: try archive.data(file), name: file))
                }
                guard let items = content?.arrayValue else { throw FlavorError("A skops array has no data") }
                var values: [Value] = []
                for item in items { values.append(try value(item, depth: depth + 1)) }
                return .list(values)
            case "ObjectNode":
                guard allowed.contains(className) else {
                    throw FlavorError(
                        "The skops model holds an object of class '\(className)', which Kaizen does not load")
                }
                guard let inner = content else { return .object(className: className, fields: [:]) }
                let state = try value(inner, depth: depth + 1)
                // An object without a `__dict__` (links, stateless helpers) has a null state.
                if case .json(.null) = state { return .object(className: className, fields: [:]) }
                // One whose `__getstate__` is a tuple (k-NN search trees, distance metrics) keeps it as data.
                if case .list = state { return .object(className: className, fields: ["__state__": state]) }
                guard case .dict(let fields) = state else {
                    throw FlavorError("The skops object '\(className)' has no attribute dict")
                }
                return .object(className: className, fields: fields)
            case "TreeNode" where className == "sklearn.tree._tree.Tree":
                // A fitted tree: its node and value arrays, and the constructor's arguments (n_features,
                // n_classes, n_outputs) as `__reduce__` gives them.
                guard let inner = content, case .dict(var fields) = try value(inner, depth: depth + 1),
                    let arguments = node["__reduce__"]?["args"],
                    case .list(let values) = try value(arguments, depth: depth + 1), values.count == 3
                else { throw FlavorError("A skops Tree has no content or constructor arguments") }
                fields["n_features"] = values[0]
                fields["n_classes"] = values[1]
                fields["n_outputs"] = values[2]
                return .object(className: className, fields: fields)
            case "DefaultDictNode":
                // A defaultdict (a LightGBM booster's scores): `main` holds the dict, `default_factory` a type.
                guard let main = content?["main"], let factory = content?["default_factory"] else {
                    throw FlavorError("A skops defaultdict has no main dict or default factory")
                }
                _ = try value(factory, depth: depth + 1)
                return try value(main, depth: depth + 1)
            case "TypeNode":
                // A type named as data (an encoder's dtype, a defaultdict's factory): kept as a name, never built.
                guard SkopsDocument.allowedTypes.contains(className) else {
                    throw FlavorError("The skops model names the type '\(className)', which Kaizen does not load")
                }
                return .object(className: className, fields: [:])
            case "FunctionNode":
                guard SkopsDocument.allowedFunctions.contains(className) else {
                    throw FlavorError(
                        "The skops model holds the function '\(className)', which Kaizen does not load "
                            + "(functions are never run)")
                }
                return .object(className: className, fields: [:])
            case "PartialNode" where className == "functools.partial":
                // `partial(check_array, dtype=...)`, which a ColumnTransformer's pass-through columns use.
                guard let function = content?["func"], let arguments = content?["kwds"] else {
                    throw FlavorError("A skops partial has no function or keywords")
                }
                return .object(
                    className: className,
                    fields: [
                        "func": try value(function, depth: depth + 1), "kwds": try value(arguments, depth: depth + 1),
                    ])
            case "SliceNode" where className == "builtins.slice":
                guard let bounds = content else { throw FlavorError("A skops slice has no bounds") }
                return .json(bounds)
            case "RandomStateNode" where module == "numpy.random.mtrand",
                "RandomGeneratorNode" where module == "numpy.random._generator":
                // A random generator's state, which predicting never draws from: kept as a name, never built.
                return .object(className: className, fields: [:])
            case "DTypeNode" where module == "numpy":
                // A NumPy dtype (an imputer's fitted dtype): kept as a name, never built.
                return .object(className: className, fields: [:])
            case "LossNode" where module == "sklearn.linear_model._sgd_fast" || module == "sklearn._loss._loss":
                // The loss an SGD model was trained with: kept as a name, never built (predict does not use it).
                return .object(className: className, fields: [:])
            default:
                throw FlavorError(
                    "The skops model holds a \(loader) for '\(className)', which Kaizen does not load "
                        + "(functions, methods, types and reduced objects are never run)")
            }
        }
    }
}
