public import KaizenCore

/// A scoring request's data, in the shape the client sent it; `ScoringModel` turns it into engine feeds.
public enum ScoringInput: Sendable {
    /// A table with named columns (`dataframe_split`, `dataframe_records`, CSV, a list of records):
    /// predictions come back as one record per row.
    case frame(DataFrame)
    /// A `dataframe_split` table of numbers only, read without a JSON tree; it means what `.frame` of the same
    /// table means.
    case numericFrame(NumericFrame)
    /// `inputs`/`instances` as a list of lists of numbers only, read without a JSON tree; it means what `.tensor` of
    /// the same list means.
    case numericTensor(NumericRows)
    /// One nested list (`inputs`/`instances` as a list of lists) for a single-input model: predictions come back
    /// as a dict of output name to full-shape lists.
    case tensor(JSONValue)
    /// Named nested lists (`inputs`/`instances` as a dict): tensors by input name, or the columns of a
    /// DataFrame when the model's signature has columns.
    case named([(String, JSONValue)])
}
