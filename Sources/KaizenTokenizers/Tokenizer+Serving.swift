extension Tokenizer {
    /// This tokenizer cutting every encoding to `maximumLength` tokens, special tokens included (the longest text of
    /// a pair first), and padding none: what a served model takes, padded afterwards to its batch's longest.
    public func limited(to maximumLength: Int) -> Tokenizer {
        var tokenizer = self
        tokenizer.truncation = Truncation(
            maximumLength: max(0, maximumLength), strategy: truncation?.strategy ?? .longestFirst,
            fromLeft: truncation?.fromLeft ?? false)
        tokenizer.padding = nil
        return tokenizer
    }

    /// The id of `token`: an added token's, or the model vocabulary's.
    public func id(of token: String) -> Int? {
        let scalars = Array(token.unicodeScalars)
        if let added = addedTokens.tokens.first(where: { $0.content == scalars }) { return added.id }
        switch pipeline {
        case .wordPiece(_, let model): return model.vocabulary[Array(token.utf8)]
        case .byteLevel(_, let model): return model.vocabulary[Array(token.utf8)]
        }
    }

    /// The id padding uses: the file's padding settings when it has them, else the id of `[PAD]` or `<pad>`.
    public var paddingID: Int? {
        if let padding { return padding.id }
        return id(of: "[PAD]") ?? id(of: "<pad>")
    }
}
