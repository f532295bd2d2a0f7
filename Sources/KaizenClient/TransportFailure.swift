import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Short phrases for outgoing-HTTP failures: the client's errors, the webhook delivery log and the `test` endpoint.
package enum TransportFailure {
    /// "connection refused", "timed out", "unknown host" and the like, in place of the nested error values
    /// SwiftNIO and AsyncHTTPClient report.
    package static func reason(for error: any Error) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout:
                return "timed out"
            case .remoteConnectionClosed: return "the connection was closed"
            default: return error.shortDescription.lowercased()
            }
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first { return reason(for: failure.error) }
            return error.dnsAError != nil || error.dnsAAAAError != nil ? "unknown host" : "no address to connect to"
        case is SocketAddressError.UnknownHost:
            return "unknown host"
        case is NIOSSLError, is NIOSSLExtraError:
            return "the TLS handshake failed (\(error))"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return "timed out"
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed: return "the connection was closed"
            default: return "\(error)"
            }
        default:
            return "\(error)"
        }
    }
}
