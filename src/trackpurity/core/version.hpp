#pragma once

#include <string_view>

namespace trackpurity {

// Program version: the project version plus `git describe` of the build's
// checkout (for example "0.1.0+ga1b2c3d-dirty"), or the project version alone
// when built outside git.
std::string_view program_version() noexcept;

}  // namespace trackpurity
