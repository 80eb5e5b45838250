// The pixel size an encoded image declares in its header, read without
// decoding, so a decompression bomb (a 1 MB PNG of 32000x32000) is refused
// before a gigabyte is allocated for it.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace edl::data {

struct ImageSize {
  std::uint64_t width = 0, height = 0;
  std::uint64_t pixels() const { return width * height; }
};

// PNG, JPEG, BMP, WebP, PNM and TIFF; nullopt for another format or a
// header too short to say (the decoder then has the last word).
std::optional<ImageSize> image_header_size(const std::vector<std::uint8_t> &bytes);

}  // namespace edl::data
