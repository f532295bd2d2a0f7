import Foundation
public import GRDB

/// Opens the SQLite database behind Kaizen's stores: WAL mode, a busy timeout instead of
/// "database is locked" errors, and case-sensitive `LIKE` (MLflow's semantics).
public enum SQLiteDatabase {
    /// Opens (creating if needed) the database at `location`, a path or an MLflow-style
    /// `sqlite:///relative.db` / `sqlite:////absolute.db` URI, and brings its schema up to date.
    public static func open(_ location: String) throws -> DatabasePool {
        let path = try path(from: location)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit survives the process being killed at any point;
            // only an OS crash or power loss can drop the last commits.
            try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA case_sensitive_like = ON;")
            // Reads through a memory map skip a copy per page; the OS page cache is shared by all connections.
            try db.execute(sql: "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -8000;")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        try TrackingSchema.migrator().migrate(pool)
        return pool
    }

    /// The file path a store location names.
    public static func path(from location: String) throws -> String {
        var path = location
        if path.hasPrefix("sqlite:///") {
            path = String(path.dropFirst("sqlite:///".count))
        } else if path.hasPrefix("sqlite://") {
            throw StorageError("A SQLite URI has no host: use sqlite:///relative.db or sqlite:////absolute.db")
        } else if path.contains("://") {
            throw StorageError("Unsupported backend store URI '\(location)': only SQLite is available in this build")
        }
        guard !path.isEmpty else { throw StorageError("The backend store URI names no file") }
        return path
    }
}
