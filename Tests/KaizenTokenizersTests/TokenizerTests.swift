import Foundation
import KaizenCore
import Testing

@testable import KaizenTokenizers

/// A small WordPiece tokenizer written here: the pipeline's parts on inputs whose answers are known by hand, and
/// the tokenizer files Kaizen refuses.
struct TokenizerTests {
    static func file(
        truncation: String = "null", padding: String = "null", added: String = "", model: String = "WordPiece"
    ) -> String {
        let vocabulary = [
            "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "cafe", ";", "!", "a", "b",
        ]
        let entries = vocabulary.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ", ")
        return """
            {"version": "1.0", "truncation": \(truncation), "padding": \(padding),
             "added_tokens": [{"id": 4, "content": "[MASK]", "special": true, "normalized": false\(added)}],
             "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                            "strip_accents": null, "lowercase": true},
             "pre_tokenizer": {"type": "BertPreTokenizer"},
             "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
             "model": {"type": "\(model)", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                       "max_input_chars_per_word": 12, "vocab": {\(entries)}}}
            """
    }

    static func tokenizer(_ text: String) throws -> Tokenizer {
        try Tokenizer(parsing: Array(text.utf8))
    }

    @Test func wordsSplitIntoTheLongestPiecesWithTheirSpans() throws {
        let encoding = try Self.tokenizer(Self.file()).encode("UnAffable  CAFÉ!\u{200B} [MASK]")
        #expect(encoding.tokens == ["[CLS]", "un", "##aff", "##able", "cafe", "!", "[MASK]", "[SEP]"])
        #expect(encoding.ids == [2, 5, 6, 7, 8, 10, 4, 3])
        #expect(
            encoding.offsets.map { [$0.start, $0.end] } == [
                [0, 0], [0, 2], [2, 5], [5, 9], [11, 15], [15, 16], [18, 24], [0, 0],
            ])
        #expect(encoding.attentionMask == [1, 1, 1, 1, 1, 1, 1, 1])
    }

    @Test func aWordTooLongOrWithoutPiecesIsOneUnknownToken() throws {
        let tokenizer = try Self.tokenizer(Self.file())
        #expect(tokenizer.encode("unaffableunun").tokens == ["[CLS]", "[UNK]", "[SEP]"])
        #expect(tokenizer.encode("unx").offsets[1] == Encoding.Span(start: 0, end: 3))
        // Accent stripping decomposes the Greek question mark into a semicolon (without it, the bytes differ and it
        // is no match: the cased fixture holds that case).
        #expect(tokenizer.encode("\u{37E}").tokens == ["[CLS]", ";", "[SEP]"])
        #expect(tokenizer.encode(";").tokens == ["[CLS]", ";", "[SEP]"])
    }

    @Test func pairsAreTruncatedLongestFirstAndPadded() throws {
        let tokenizer = try Self.tokenizer(
            Self.file(
                truncation: #"{"max_length": 7, "strategy": "LongestFirst", "stride": 0, "direction": "Right"}"#,
                padding:
                    #"{"strategy": {"Fixed": 9}, "direction": "Right", "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"}"#
            ))
        // 4 room for text after [CLS] A [SEP] B [SEP]: "a a a a a" (5) and "b b" (2) keep 2 and 2.
        let encoding = tokenizer.encode("a a a a a", pair: "b b")
        #expect(encoding.tokens == ["[CLS]", "a", "a", "[SEP]", "b", "b", "[SEP]", "[PAD]", "[PAD]"])
        #expect(encoding.typeIDs == [0, 0, 0, 0, 1, 1, 1, 0, 0])
        #expect(encoding.attentionMask == [1, 1, 1, 1, 1, 1, 1, 0, 0])
        #expect(encoding.offsets[4] == Encoding.Span(start: 0, end: 1))
        // A short first text keeps its length; the second takes the rest.
        #expect(
            tokenizer.encode("a", pair: "b b b b b").tokens.prefix(7) == [
                "[CLS]", "a", "[SEP]", "b", "b", "b", "[SEP]",
            ])
        #expect(
            tokenizer.encode("").tokens == [
                "[CLS]", "[SEP]", "[PAD]", "[PAD]", "[PAD]", "[PAD]", "[PAD]", "[PAD]", "[PAD]",
            ])
    }

    @Test func filesKaizenCannotFollowAreRefusedByName() {
        for (text, message) in [
            (Self.file(model: "BPE"), "with the model 'BPE' is not supported yet"),
            (Self.file(added: #", "single_word": true"#), "sets single_word"),
            ("[1, 2]", "A tokenizer file is a JSON object"),
            ("{", "not valid JSON"),
            (Self.file().replacingOccurrences(of: "\"[UNK]\": 1, ", with: ""), "lacks its unknown token"),
        ] {
            let error = #expect(throws: KaizenError.self) { try Self.tokenizer(text) }
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "no error")")
        }
    }
}
