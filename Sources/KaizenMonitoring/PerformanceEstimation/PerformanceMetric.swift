/// A classification metric that confidence-based performance estimation can estimate.
public enum PerformanceMetric: String, Sendable, Hashable, CaseIterable {
    /// The share of correct predictions.
    case accuracy
    /// Of the predicted positives, the share that are positive (multiclass: the macro average over classes).
    case precision
    /// Of the positives, the share predicted positive (multiclass: the macro average over classes).
    case recall
    /// The harmonic mean of precision and recall (multiclass: the macro average of per-class F1).
    case f1
    /// The area under the ROC curve (multiclass: the macro average of one-vs-rest areas).
    case rocAUC = "roc_auc"
}
