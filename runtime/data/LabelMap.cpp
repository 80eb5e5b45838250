#include "runtime/data/LabelMap.h"

#include <png.h>

#include <csetjmp>
#include <cstring>

namespace edl::data {
namespace {

struct Reader {
  const std::vector<std::uint8_t> *bytes;
  std::size_t at = 0;
  std::string error;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t n) {
  auto *r = static_cast<Reader *>(png_get_io_ptr(png));
  if (r->at + n > r->bytes->size()) png_error(png, "the file ends early");
  std::memcpy(out, r->bytes->data() + r->at, n);
  r->at += n;
}

// libpng reports through longjmp; the message is kept for the caller.
void on_error(png_structp png, png_const_charp message) {
  auto *r = static_cast<Reader *>(png_get_error_ptr(png));
  r->error = message;
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

void write_to_memory(png_structp png, png_bytep data, png_size_t n) {
  auto *out = static_cast<std::vector<std::uint8_t> *>(png_get_io_ptr(png));
  out->insert(out->end(), data, data + n);
}
void flush_nothing(png_structp) {}

}  // namespace

std::string decode_label_map(const std::vector<std::uint8_t> &bytes, LabelMap &out) {
  if (bytes.size() < 8 || png_sig_cmp(bytes.data(), 0, 8) != 0) return "not a PNG file";
  Reader reader{&bytes, 0, ""};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
  if (!png) return "cannot start the PNG decoder";
  png_infop info = png_create_info_struct(png);
  std::vector<png_bytep> rows;
  std::string why;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return "cannot start the PNG decoder";
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return "corrupt PNG (" + reader.error + ")";
  }
  png_set_read_fn(png, &reader, read_from_memory);
  png_read_info(png, info);
  const int type = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
  if (type != PNG_COLOR_TYPE_GRAY && type != PNG_COLOR_TYPE_PALETTE)
    why = "a colour PNG, not a label map: save class indices as 8-bit gray or as a palette PNG";
  else if (depth > 8)
    why = "a 16-bit PNG: label maps hold 8-bit class indices";
  if (why.empty()) {
    if (depth < 8) png_set_packing(png);  // 1, 2, 4 bits per index: one byte each
    png_read_update_info(png, info);
    out.width = static_cast<int>(png_get_image_width(png, info));
    out.height = static_cast<int>(png_get_image_height(png, info));
    out.values.assign(static_cast<std::size_t>(out.width) * out.height, 0);
    for (int y = 0; y < out.height; ++y) rows.push_back(out.values.data() + static_cast<std::size_t>(y) * out.width);
    png_read_image(png, rows.data());
  }
  png_destroy_read_struct(&png, &info, nullptr);
  return why;
}

bool encode_label_map(const LabelMap &map, std::vector<std::uint8_t> &out) {
  out.clear();
  Reader status{nullptr, 0, ""};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &status, on_error, on_warning);
  if (!png) return false;
  png_infop info = png_create_info_struct(png);
  if (!info || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, info ? &info : nullptr);
    return false;
  }
  png_set_write_fn(png, &out, write_to_memory, flush_nothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(map.width), static_cast<png_uint_32>(map.height), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < map.height; ++y)
    png_write_row(png, const_cast<png_bytep>(map.values.data() + static_cast<std::size_t>(y) * map.width));
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return true;
}

}  // namespace edl::data
