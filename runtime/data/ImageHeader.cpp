#include "runtime/data/ImageHeader.h"

#include <cctype>
#include <cstdlib>

namespace edl::data {
namespace {

using Bytes = std::vector<std::uint8_t>;

std::uint32_t be16(const Bytes &b, std::size_t i) { return (b[i] << 8) | b[i + 1]; }
std::uint32_t be32(const Bytes &b, std::size_t i) { return (be16(b, i) << 16) | be16(b, i + 2); }
std::uint32_t le16(const Bytes &b, std::size_t i) { return b[i] | (b[i + 1] << 8); }
std::uint32_t le32(const Bytes &b, std::size_t i) { return le16(b, i) | (le16(b, i + 2) << 16); }
std::uint32_t le24(const Bytes &b, std::size_t i) { return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16); }

bool starts_with(const Bytes &b, std::size_t at, const char *text) {
  for (std::size_t i = 0; text[i]; ++i)
    if (at + i >= b.size() || b[at + i] != static_cast<std::uint8_t>(text[i])) return false;
  return true;
}

std::optional<ImageSize> png(const Bytes &b) {
  // Signature, then the IHDR chunk: length, "IHDR", width, height.
  if (b.size() < 24 || !starts_with(b, 12, "IHDR")) return std::nullopt;
  return ImageSize{be32(b, 16), be32(b, 20)};
}

std::optional<ImageSize> jpeg(const Bytes &b) {
  // Markers after SOI; a start-of-frame (SOF0..SOF15 but DHT, JPG, DAC)
  // holds precision, height, width.
  std::size_t i = 2;
  while (i + 4 <= b.size()) {
    if (b[i] != 0xFF) return std::nullopt;
    std::uint8_t marker = b[i + 1];
    if (marker == 0xFF) {  // fill byte
      ++i;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {  // no length
      i += 2;
      continue;
    }
    std::uint32_t length = be16(b, i + 2);
    if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) {
      if (i + 9 > b.size()) return std::nullopt;
      return ImageSize{be16(b, i + 7), be16(b, i + 5)};
    }
    if (length < 2) return std::nullopt;
    i += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageSize> bmp(const Bytes &b) {
  if (b.size() < 26) return std::nullopt;
  if (le32(b, 14) == 12) return ImageSize{le16(b, 18), le16(b, 20)};  // OS/2 header
  std::int32_t h = static_cast<std::int32_t>(le32(b, 22));             // negative: top-down
  return ImageSize{static_cast<std::uint32_t>(std::abs(static_cast<std::int32_t>(le32(b, 18)))),
                   static_cast<std::uint64_t>(h < 0 ? -static_cast<std::int64_t>(h) : h)};
}

std::optional<ImageSize> webp(const Bytes &b) {
  if (b.size() < 30) return std::nullopt;
  if (starts_with(b, 12, "VP8X")) return ImageSize{le24(b, 24) + 1ull, le24(b, 27) + 1ull};
  if (starts_with(b, 12, "VP8L")) {
    std::uint32_t bits = le32(b, 21);
    return ImageSize{(bits & 0x3FFF) + 1ull, ((bits >> 14) & 0x3FFF) + 1ull};
  }
  if (starts_with(b, 12, "VP8 ")) return ImageSize{le16(b, 26) & 0x3FFFu, le16(b, 28) & 0x3FFFu};
  return std::nullopt;
}

std::optional<ImageSize> pnm(const Bytes &b) {
  // P1..P6, then width and height as decimal text, with # comments.
  std::size_t i = 2;
  std::uint64_t n[2];
  for (std::uint64_t &v : n) {
    for (;;) {
      while (i < b.size() && std::isspace(b[i])) ++i;
      if (i < b.size() && b[i] == '#')
        while (i < b.size() && b[i] != '\n') ++i;
      else break;
    }
    if (i >= b.size() || !std::isdigit(b[i])) return std::nullopt;
    v = 0;
    while (i < b.size() && std::isdigit(b[i]) && v < (1ull << 40)) v = v * 10 + (b[i++] - '0');
  }
  return ImageSize{n[0], n[1]};
}

std::optional<ImageSize> tiff(const Bytes &b) {
  // The first IFD's ImageWidth (256) and ImageLength (257) entries.
  const bool le = b[0] == 'I';
  auto u16 = [&](std::size_t i) { return le ? le16(b, i) : be16(b, i); };
  auto u32 = [&](std::size_t i) { return le ? le32(b, i) : be32(b, i); };
  std::uint64_t ifd = u32(4);
  if (ifd + 2 > b.size()) return std::nullopt;
  std::uint32_t entries = u16(ifd);
  ImageSize s;
  for (std::uint32_t k = 0; k < entries; ++k) {
    std::size_t e = ifd + 2 + 12 * static_cast<std::size_t>(k);
    if (e + 12 > b.size()) return std::nullopt;
    std::uint32_t tag = u16(e), type = u16(e + 2);
    std::uint64_t value = type == 3 ? u16(e + 8) : u32(e + 8);  // SHORT or LONG
    if (tag == 256) s.width = value;
    if (tag == 257) s.height = value;
  }
  if (!s.width || !s.height) return std::nullopt;
  return s;
}

}  // namespace

std::optional<ImageSize> image_header_size(const Bytes &b) {
  if (b.size() >= 8 && b[0] == 0x89 && starts_with(b, 1, "PNG\r\n\x1a\n")) return png(b);
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return jpeg(b);
  if (starts_with(b, 0, "BM")) return bmp(b);
  if (starts_with(b, 0, "RIFF") && starts_with(b, 8, "WEBP")) return webp(b);
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') return pnm(b);
  if (b.size() >= 8 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                        (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42)))
    return tiff(b);
  return std::nullopt;
}

}  // namespace edl::data
