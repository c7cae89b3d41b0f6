// A plain socket read and written without waiting (private to lib/net).
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstddef>

namespace instructor::net::detail {

/// A connected plain socket's bytes moved now: what the kernel has, or takes, at once; else
/// `would_block` and nothing moved. A SyncReadStream for Beast's parser reads. The exchange
/// tries these before it awaits (Asio's own first attempt, kept inline): a request the kernel
/// takes whole, or a response already there, then costs no operation's state and no pass of
/// the scheduler. Asio is not bypassed in what it knows: its next operation on the socket tries
/// the socket first, or re-arms the descriptor's readiness. Linux (MSG_NOSIGNAL, as the
/// library's transport is). Run under io_watch::now, so the descriptor is the socket's.
class socket_now {
public:
    explicit socket_now(int fd) noexcept : fd_(fd) {}

    template <class MutableBuffers>
    std::size_t read_some(MutableBuffers const& buffers, boost::system::error_code& ec)
    {
        return transfer(buffers, ec, false);
    }

    /// The throwing form Beast's SyncReadStream asks for (its reads call the other).
    template <class MutableBuffers>
    std::size_t read_some(MutableBuffers const& buffers)
    {
        boost::system::error_code ec;
        auto const n = transfer(buffers, ec, false);
        if (ec)
            throw boost::system::system_error(ec);
        return n;
    }

    template <class ConstBuffers>
    std::size_t write_some(ConstBuffers const& buffers, boost::system::error_code& ec)
    {
        return transfer(buffers, ec, true);
    }

private:
    template <class Buffers>
    std::size_t transfer(Buffers const& buffers, boost::system::error_code& ec, bool write)
    {
        // A request is two buffers, a read one: the rest, if ever, moves on the next call.
        constexpr std::size_t most = 16;
        iovec iov[most];
        std::size_t count = 0, total = 0;
        for (auto it = boost::asio::buffer_sequence_begin(buffers);
             it != boost::asio::buffer_sequence_end(buffers) && count < most; ++it) {
            boost::asio::const_buffer const b(*it);
            if (b.size() == 0)
                continue;
            iov[count].iov_base = const_cast<void*>(b.data());
            iov[count].iov_len = b.size();
            total += b.size();
            ++count;
        }
        ec = {};
        if (total == 0)
            return 0;
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = count;
        for (;;) {
            auto const n = write ? ::sendmsg(fd_, &msg, MSG_DONTWAIT | MSG_NOSIGNAL)
                                 : ::recvmsg(fd_, &msg, MSG_DONTWAIT);
            if (n > 0)
                return static_cast<std::size_t>(n);
            if (n == 0) {  // only a read ends so: the peer closed
                ec = boost::asio::error::eof;
                return 0;
            }
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                ec = boost::asio::error::would_block;
            else
                ec.assign(errno, boost::asio::error::get_system_category());
            return 0;
        }
    }

    int fd_;
};

}  // namespace instructor::net::detail
