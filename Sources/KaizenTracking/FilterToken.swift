/// A lexical token of the filter grammar.
enum FilterToken: Equatable {
    /// A bare word: an identifier such as `metrics.rmse`, or a keyword.
    case word(String)
    /// A backtick-quoted key part.
    case backtick(String)
    /// A single- or double-quoted string.
    case quoted(String, double: Bool)
    case number(Double)
    case op(String)
    case openParen
    case closeParen
    case comma
}
