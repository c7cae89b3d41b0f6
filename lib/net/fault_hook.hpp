// Failing the transport's I/O steps on purpose, for tests (as Beast's test stream fails its n-th
// operation). Private to lib/ and the tests; never set in production.
#pragma once

#include <boost/system/error_code.hpp>

#include <functional>
#include <memory>

namespace instructor::net {

class http_client;

/// The I/O steps of an exchange, in the order a request takes them (resolve for a host name
/// only: an address is not resolved).
enum class io_step { resolve, connect, handshake, write, read_header, read_body, backoff };

/// Asked before each step: an error fails the step with it, as if the socket had; a hook may
/// also cancel the operation (emit on its cancellation signal) and return no error.
using fault_hook = std::function<boost::system::error_code(io_step)>;

/// Installs `hook` for every later request of `client` (and its copies).
void set_fault_hook(http_client& client, fault_hook hook);

namespace detail {

/// Sets `ec` to the hook's error for `step` when there is a hook and it gives one (a plain
/// call: in a coroutine, a local for the injected error would take room in its frame).
inline void inject_into(boost::system::error_code& ec,
                        std::shared_ptr<fault_hook const> const& hook, io_step step)
{
    if (hook && *hook)
        if (auto injected = (*hook)(step))
            ec = injected;
}

}  // namespace detail

}  // namespace instructor::net
