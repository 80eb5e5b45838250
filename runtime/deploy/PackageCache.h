// Where `edlc predict` and `edlc serve` unpack a package: a per-user cache
// folder (mode 0700), one subfolder per package content. Each unpack goes
// into a private temporary folder renamed into place, so processes opening
// one package at once never share a half-written folder; a cached unpack is
// checked against the content hash written beside it, so an edited or
// damaged one is unpacked again instead of trusted.
#pragma once

#include <string>

namespace edl::deploy {

// The folder of the unpacked package (a folder package is returned as it
// is); empty with `error` set when it cannot be had.
std::string unpacked_package(const std::string &package, std::string &error);

// The cache folder: $EDL_CACHE_DIR, else $XDG_CACHE_HOME/edl or
// ~/.cache/edl, each with packages/ under it.
std::string package_cache_dir();

}  // namespace edl::deploy
