/// Generates readable run names such as `brave-otter-417`, for runs created without a name.
public enum RunNameGenerator {
    static let adjectives = [
        "agile", "amber", "ancient", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "curious",
        "daring", "eager", "electric", "fearless", "fierce", "gentle", "gleaming", "golden", "graceful", "happy",
        "honest", "humble", "jolly", "keen", "kind", "lively", "lucky", "luminous", "merry", "mighty", "nimble",
        "noble", "patient", "placid", "polished", "proud", "quick", "quiet", "radiant", "rapid", "resolute",
        "rustic", "serene", "sharp", "shiny", "silent", "silver", "sleek", "smooth", "snappy", "steady", "stellar",
        "sturdy", "sunny", "swift", "tidy", "tranquil", "vivid", "wise", "witty", "zealous",
    ]
    static let nouns = [
        "albatross", "antelope", "badger", "bear", "beaver", "bison", "bobcat", "crane", "cricket", "deer",
        "dolphin", "eagle", "falcon", "ferret", "finch", "fox", "gazelle", "gecko", "heron", "horse", "ibis",
        "jackal", "jaguar", "kestrel", "koala", "lark", "lemur", "lynx", "magpie", "marten", "mink", "moose",
        "newt", "ocelot", "orca", "osprey", "otter", "owl", "panda", "panther", "pelican", "puffin", "quail",
        "rabbit", "raven", "robin", "salmon", "seal", "shark", "sparrow", "stork", "swan", "tapir", "tiger",
        "toucan", "trout", "turtle", "vole", "walrus", "whale", "wolf", "wren", "yak", "zebra",
    ]

    /// A new random name.
    public static func next() -> String {
        var generator = SystemRandomNumberGenerator()
        return next(using: &generator)
    }

    /// A new name drawn from `generator`.
    public static func next(using generator: inout some RandomNumberGenerator) -> String {
        let adjective = adjectives.randomElement(using: &generator) ?? "brave"
        let noun = nouns.randomElement(using: &generator) ?? "otter"
        return "\(adjective)-\(noun)-\(Int.random(in: 0..<1000, using: &generator))"
    }
}
