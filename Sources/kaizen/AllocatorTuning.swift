/// Process-wide allocator settings for scoring large batches.
enum AllocatorTuning {
    /// Keeps large freed blocks in the process for reuse, instead of returning them to the kernel and taking page
    /// faults on every batch (glibc otherwise maps blocks over 32 MiB fresh each time, and a 100,000-row batch through
    /// a 100-unit layer is 40 MB).
    static func keepLargeBlocks() {
        #if os(Linux)
            // M_MMAP_MAX (-4) and M_TRIM_THRESHOLD (-1) from glibc's <malloc.h>, which Swift's Glibc module leaves out.
            _ = glibcMallopt(-4, 0)
            _ = glibcMallopt(-1, 1 << 30)
        #endif
    }
}

#if os(Linux)
    @_silgen_name("mallopt")
    private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
