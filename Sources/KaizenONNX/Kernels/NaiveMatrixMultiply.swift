/// Plain row-major matrix products for the types without a packed kernel.
enum NaiveMatrixMultiply {
    static func multiply<T: NumericElement>(_ a: ArraySlice<T>, _ b: ArraySlice<T>, m: Int, k: Int, n: Int) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        let aStart = a.startIndex
        let bStart = b.startIndex
        for i in 0..<m {
            for kk in 0..<k {
                let x = a[aStart + i * k + kk]
                for j in 0..<n {
                    c[i * n + j] = T.wrappingSum(c[i * n + j], T.wrappingProduct(x, b[bStart + kk * n + j]))
                }
            }
        }
        return c
    }
}
