// Label-map PNGs: one class index per pixel, stored as 8-bit (or narrower)
// gray, or as a palette image whose palette indices are the classes (Pascal
// VOC's masks). Read with libpng because a general image decoder expands a
// palette into colours and loses the indices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edl::data {

struct LabelMap {
  int width = 0, height = 0;
  std::vector<std::uint8_t> values;  // height x width, row-major
};

// Decodes a PNG label map; returns why the bytes are not one (not a PNG,
// colour, 16-bit, truncated), or "".
std::string decode_label_map(const std::vector<std::uint8_t> &png, LabelMap &out);

// A label map as an 8-bit gray PNG (what `edlc predict` writes for a
// segmenter). Returns false when encoding fails.
bool encode_label_map(const LabelMap &map, std::vector<std::uint8_t> &png);

}  // namespace edl::data
