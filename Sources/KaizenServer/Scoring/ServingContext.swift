import Foundation
public import Hummingbird
import KaizenCore
import KaizenServing
import Logging
import NIOCore
import Synchronization

/// The request context of the scoring server: Hummingbird's core plus notes that a handler leaves for the access
/// log (which model answered, how many rows).
public struct ServingContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let notes = RequestNotes()

    public init(source: Source) {
        coreContext = .init(source: source)
    }
}
