/// One page of a search: the results and, when more follow, the token for the next page.
public struct Page<Element: Sendable>: Sendable {
    public var items: [Element]
    /// Absent on the last page (MLflow clients read an empty token as another page).
    public var nextPageToken: String?

    public init(items: [Element], nextPageToken: String? = nil) {
        self.items = items
        self.nextPageToken = nextPageToken
    }
}
