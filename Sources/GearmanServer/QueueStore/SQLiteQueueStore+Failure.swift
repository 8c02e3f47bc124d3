import GRDB

extension SQLiteQueueStore {
    /// A queue file that cannot be used, described without the statement (and so without job data).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        init(_ description: String) {
            self.description = description
        }

        init(_ error: Error) {
            switch error {
            case let error as Failure: description = error.description
            case let error as DatabaseError:
                description = "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "\(error.resultCode)")"
            default: description = "\(error)"
            }
        }
    }
}
