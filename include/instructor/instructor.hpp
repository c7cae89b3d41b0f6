// Umbrella header: everything a user of instructor-cpp needs.
#pragma once

#include <instructor/cache.hpp>
#include <instructor/client.hpp>
#include <instructor/client_options.hpp>
#include <instructor/completion.hpp>
#include <instructor/decode.hpp>
#include <instructor/decode_options.hpp>
#include <instructor/encode.hpp>
#include <instructor/error.hpp>
#include <instructor/llm_validator.hpp>
#include <instructor/maybe.hpp>
#include <instructor/model.hpp>
#include <instructor/message.hpp>
#include <instructor/mode.hpp>
#include <instructor/model_name.hpp>
#include <instructor/providers.hpp>
#include <instructor/rate_limit.hpp>
#include <instructor/rate_limiter.hpp>
#include <instructor/repair.hpp>
#include <instructor/request.hpp>
#include <instructor/schema.hpp>
#include <instructor/stream.hpp>
#include <instructor/usage.hpp>
#include <instructor/validation.hpp>
#include <instructor/version.hpp>
