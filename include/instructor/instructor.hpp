// Umbrella header: everything a user of instructor-cpp needs.
#pragma once

#include <instructor/decode.hpp>
#include <instructor/decode_options.hpp>
#include <instructor/encode.hpp>
#include <instructor/error.hpp>
#include <instructor/model.hpp>
#include <instructor/model_name.hpp>
#include <instructor/schema.hpp>
#include <instructor/usage.hpp>
#include <instructor/validation.hpp>
#include <instructor/version.hpp>
