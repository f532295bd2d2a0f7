// Placeholder until the scipy-exact port lands (being written in parallel).
public enum KolmogorovSmirnov {
    public static func twoSample(_ a: [Double], _ b: [Double]) -> (statistic: Double, pValue: Double) { (0, .nan) }
}
