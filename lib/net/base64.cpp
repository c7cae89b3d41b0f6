#include "base64.hpp"

#include <openssl/evp.h>

namespace instructor::net::detail {

std::string base64(std::string_view bytes)
{
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    auto const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                   reinterpret_cast<unsigned char const*>(bytes.data()),
                                   static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

}  // namespace instructor::net::detail
