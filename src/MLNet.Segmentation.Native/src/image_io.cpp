// PNG and JPEG decoding/encoding for the managed data pipeline.
//
// libpng and libjpeg report errors by longjmp. Every function that calls them (the *_c functions below)
// holds only trivially destructible locals, keeps what changes after setjmp in volatile variables, and
// returns a status plus a message; the exported wrappers turn that into the bridge's error channel.
// Sizes are validated against MLSEG_IMAGE_MAX_PIXELS and against the input length before any pixel
// buffer is allocated, so a corrupt header cannot request a huge allocation.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "bridge_common.h"
#include "mlseg_image.h"

#if defined(MLSEG_WITH_IMAGE_CODECS)
#include <csetjmp>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>
#endif

namespace {

struct ErrorText {
  char message[320];
};

void set_text(ErrorText* text, const char* message) {
  std::snprintf(text->message, sizeof text->message, "%s", message ? message : "unknown codec error");
}

mlseg_image_format sniff(const uint8_t* data, int64_t size) {
  static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (size >= 8 && std::memcmp(data, png_signature, 8) == 0) return MLSEG_IMAGE_PNG;
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return MLSEG_IMAGE_JPEG;
  return MLSEG_IMAGE_UNKNOWN;
}

#if defined(MLSEG_WITH_IMAGE_CODECS)

// Deflate cannot expand data by more than about 1032:1, so filtered PNG rows larger than this bound
// cannot come from a file of the given size.
constexpr double kPngMaxInflateRatio = 1100.0;
// A JPEG block costs at least a few bits; more pixels per input byte than this means a corrupt header.
constexpr double kJpegMaxPixelsPerByte = 4096.0;
constexpr int kJpegMaxScans = 1000;

// ------------------------------------------------------------------------------------------------ PNG

struct PngReadSource {
  const uint8_t* data;
  size_t size;
  size_t position;
};

void png_read_memory(png_structp png, png_bytep out, size_t count) {
  auto* source = static_cast<PngReadSource*>(png_get_io_ptr(png));
  if (count > source->size - source->position) png_error(png, "unexpected end of data: the file is truncated");
  std::memcpy(out, source->data + source->position, count);
  source->position += count;
}

void png_on_error(png_structp png, png_const_charp message) {
  set_text(static_cast<ErrorText*>(png_get_error_ptr(png)), message);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

int png_decode_c(const uint8_t* data, size_t size, int mode, int header_only, mlseg_image_info* info,
                 uint8_t** out_pixels, int64_t* out_bytes, ErrorText* text) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, text, png_on_error, png_on_warning);
  if (png == nullptr) {
    set_text(text, "libpng could not allocate its state");
    return 1;
  }
  png_infop png_info = png_create_info_struct(png);
  if (png_info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    set_text(text, "libpng could not allocate its state");
    return 1;
  }
  uint8_t* volatile pixels = nullptr;
  png_bytep* volatile rows = nullptr;
  PngReadSource source = {data, size, 0};
  if (setjmp(png_jmpbuf(png))) {
    std::free(pixels);
    std::free(rows);
    png_destroy_read_struct(&png, &png_info, nullptr);
    return 1;
  }
  png_set_read_fn(png, &source, png_read_memory);
  png_set_chunk_malloc_max(png, 16u << 20);
  png_read_info(png, png_info);

  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  png_get_IHDR(png, png_info, &width, &height, &bit_depth, &color_type, &interlace, nullptr, nullptr);
  const double pixel_count = static_cast<double>(width) * height;
  char reason[200];
  if (width == 0 || height == 0 || pixel_count > static_cast<double>(MLSEG_IMAGE_MAX_PIXELS)) {
    std::snprintf(reason, sizeof reason, "image size %ux%u is outside the supported range", width, height);
    png_error(png, reason);
  }
  const int stored_channels = png_get_channels(png, png_info);
  const double stored_row_bytes = (static_cast<double>(width) * stored_channels * bit_depth + 7) / 8 + 1;
  if (stored_row_bytes * height > kPngMaxInflateRatio * static_cast<double>(size) + 65536.0) {
    std::snprintf(reason, sizeof reason,
                  "header claims %ux%u pixels, more than %zu bytes of compressed data can hold (corrupt header?)",
                  width, height, size);
    png_error(png, reason);
  }

  std::memset(info, 0, sizeof *info);
  info->format = MLSEG_IMAGE_PNG;
  info->width = static_cast<int32_t>(width);
  info->height = static_cast<int32_t>(height);
  info->interlaced = interlace != PNG_INTERLACE_NONE;
  info->is_palette = color_type == PNG_COLOR_TYPE_PALETTE;
  if (info->is_palette) {
    png_colorp palette = nullptr;
    int entries = 0;
    if (png_get_PLTE(png, png_info, &palette, &entries) && palette != nullptr) {
      if (entries > 256) entries = 256;
      info->palette_size = entries;
      for (int k = 0; k < entries; k++) {
        info->palette_rgb[3 * k] = palette[k].red;
        info->palette_rgb[3 * k + 1] = palette[k].green;
        info->palette_rgb[3 * k + 2] = palette[k].blue;
      }
    }
  }

  int channels = 0;
  int out_depth = 8;
  if (color_type == PNG_COLOR_TYPE_PALETTE) {
    if (mode == MLSEG_DECODE_RAW) {
      png_set_packing(png);
      channels = 1;
    } else {
      const int transparent = png_get_valid(png, png_info, PNG_INFO_tRNS) != 0;
      png_set_palette_to_rgb(png);
      if (transparent) png_set_tRNS_to_alpha(png);
      channels = transparent ? 4 : 3;
    }
  } else {
    channels = stored_channels;
    if (bit_depth < 8) {
      if (mode == MLSEG_DECODE_RAW) png_set_packing(png);
      else png_set_expand_gray_1_2_4_to_8(png);
    } else if (bit_depth == 16) {
      out_depth = 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
      png_set_swap(png);
#endif
    }
  }
  info->channels = channels;
  info->bit_depth = out_depth;
  if (header_only) {
    png_destroy_read_struct(&png, &png_info, nullptr);
    return 0;
  }

  png_set_interlace_handling(png);
  png_read_update_info(png, png_info);
  const size_t row_bytes = static_cast<size_t>(width) * channels * (out_depth / 8);
  if (png_get_channels(png, png_info) != channels || png_get_rowbytes(png, png_info) != row_bytes)
    png_error(png, "unsupported PNG layout after transformations");

  pixels = static_cast<uint8_t*>(std::malloc(row_bytes * height));
  rows = static_cast<png_bytep*>(std::malloc(sizeof(png_bytep) * height));
  if (pixels == nullptr || rows == nullptr) png_error(png, "out of memory for the pixel buffer");
  for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + y * row_bytes;
  png_read_image(png, rows);
  png_read_end(png, nullptr);

  std::free(rows);
  *out_pixels = pixels;
  *out_bytes = static_cast<int64_t>(row_bytes * height);
  png_destroy_read_struct(&png, &png_info, nullptr);
  return 0;
}

struct PngWriteSink {
  uint8_t* data;
  size_t size;
  size_t capacity;
};

void png_write_memory(png_structp png, png_bytep bytes, size_t count) {
  auto* sink = static_cast<PngWriteSink*>(png_get_io_ptr(png));
  if (sink->size + count > sink->capacity) {
    size_t capacity = sink->capacity < 4096 ? 4096 : sink->capacity;
    while (capacity < sink->size + count) capacity *= 2;
    auto* grown = static_cast<uint8_t*>(std::realloc(sink->data, capacity));
    if (grown == nullptr) png_error(png, "out of memory for the encoded PNG");
    sink->data = grown;
    sink->capacity = capacity;
  }
  std::memcpy(sink->data + sink->size, bytes, count);
  sink->size += count;
}

void png_flush_memory(png_structp) {}

int png_encode_c(const uint8_t* pixels, int width, int height, int channels, int bit_depth,
                 const uint8_t* palette_rgb, int palette_size, int level, PngWriteSink* sink, ErrorText* text) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, text, png_on_error, png_on_warning);
  if (png == nullptr) {
    set_text(text, "libpng could not allocate its state");
    return 1;
  }
  png_infop png_info = png_create_info_struct(png);
  if (png_info == nullptr) {
    png_destroy_write_struct(&png, nullptr);
    set_text(text, "libpng could not allocate its state");
    return 1;
  }
  png_bytep* volatile rows = nullptr;
  if (setjmp(png_jmpbuf(png))) {
    std::free(rows);
    png_destroy_write_struct(&png, &png_info);
    return 1;
  }
  png_set_write_fn(png, sink, png_write_memory, png_flush_memory);
  if (level >= 0) png_set_compression_level(png, level);
  int color_type = PNG_COLOR_TYPE_GRAY;
  if (palette_rgb != nullptr) color_type = PNG_COLOR_TYPE_PALETTE;
  else if (channels == 2) color_type = PNG_COLOR_TYPE_GRAY_ALPHA;
  else if (channels == 3) color_type = PNG_COLOR_TYPE_RGB;
  else if (channels == 4) color_type = PNG_COLOR_TYPE_RGB_ALPHA;
  png_set_IHDR(png, png_info, width, height, bit_depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (palette_rgb != nullptr) {
    png_color palette[256];
    for (int k = 0; k < palette_size; k++) {
      palette[k].red = palette_rgb[3 * k];
      palette[k].green = palette_rgb[3 * k + 1];
      palette[k].blue = palette_rgb[3 * k + 2];
    }
    png_set_PLTE(png, png_info, palette, palette_size);
  }
  png_write_info(png, png_info);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (bit_depth == 16) png_set_swap(png);
#endif
  const size_t row_bytes = static_cast<size_t>(width) * channels * (bit_depth / 8);
  rows = static_cast<png_bytep*>(std::malloc(sizeof(png_bytep) * height));
  if (rows == nullptr) png_error(png, "out of memory");
  for (int y = 0; y < height; y++) rows[y] = const_cast<uint8_t*>(pixels) + y * row_bytes;
  png_write_image(png, rows);
  png_write_end(png, nullptr);
  std::free(rows);
  png_destroy_write_struct(&png, &png_info);
  return 0;
}

// ------------------------------------------------------------------------------------------------ JPEG

struct JpegErrorState {
  jpeg_error_mgr manager;  // first member: libjpeg's err pointer is cast back to this struct
  jmp_buf jump;
  ErrorText* text;
};

[[noreturn]] void jpeg_on_error(j_common_ptr common) {
  auto* state = reinterpret_cast<JpegErrorState*>(common->err);
  char buffer[JMSG_LENGTH_MAX];
  (*common->err->format_message)(common, buffer);
  set_text(state->text, buffer);
  longjmp(state->jump, 1);
}

// Warnings that mean the data is truncated or corrupt are errors here; others are ignored.
void jpeg_on_message(j_common_ptr common, int level) {
  if (level >= 0) return;
  const int code = common->err->msg_code;
  if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE) jpeg_on_error(common);
  common->err->num_warnings++;
}

// Bounds the work a corrupt progressive file can cause with an endless series of scans.
void jpeg_on_progress(j_common_ptr common) {
  if (!common->is_decompressor) return;
  auto* cinfo = reinterpret_cast<j_decompress_ptr>(common);
  if (cinfo->input_scan_number > kJpegMaxScans) {
    auto* state = reinterpret_cast<JpegErrorState*>(common->err);
    set_text(state->text, "too many progressive scans (corrupt JPEG)");
    longjmp(state->jump, 1);
  }
}

[[noreturn]] void jpeg_fail(JpegErrorState* state, const char* message) {
  set_text(state->text, message);
  longjmp(state->jump, 1);
}

int jpeg_decode_c(const uint8_t* data, size_t size, int header_only, mlseg_image_info* info, uint8_t** out_pixels,
                  int64_t* out_bytes, ErrorText* text) {
  jpeg_decompress_struct cinfo;
  JpegErrorState state;
  jpeg_progress_mgr progress;
  std::memset(&cinfo, 0, sizeof cinfo);
  std::memset(&progress, 0, sizeof progress);
  cinfo.err = jpeg_std_error(&state.manager);
  state.manager.error_exit = jpeg_on_error;
  state.manager.emit_message = jpeg_on_message;
  state.text = text;
  progress.progress_monitor = jpeg_on_progress;
  uint8_t* volatile pixels = nullptr;
  uint8_t* volatile cmyk_row = nullptr;
  if (setjmp(state.jump)) {
    jpeg_destroy_decompress(&cinfo);
    std::free(pixels);
    std::free(cmyk_row);
    return 1;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.progress = &progress;
  cinfo.mem->max_memory_to_use = 2048L << 20;
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);

  const double pixel_count = static_cast<double>(cinfo.image_width) * cinfo.image_height;
  char reason[200];
  if (cinfo.image_width == 0 || cinfo.image_height == 0 || pixel_count > static_cast<double>(MLSEG_IMAGE_MAX_PIXELS)) {
    std::snprintf(reason, sizeof reason, "image size %ux%u is outside the supported range", cinfo.image_width,
                  cinfo.image_height);
    jpeg_fail(&state, reason);
  }
  if (pixel_count > kJpegMaxPixelsPerByte * static_cast<double>(size)) {
    std::snprintf(reason, sizeof reason, "header claims %ux%u pixels, implausible for %zu bytes (corrupt header?)",
                  cinfo.image_width, cinfo.image_height, size);
    jpeg_fail(&state, reason);
  }
  const int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  int channels = 3;
  if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
    cinfo.out_color_space = JCS_GRAYSCALE;
    channels = 1;
  } else if (cmyk) {
    cinfo.out_color_space = JCS_CMYK;
  } else {
    cinfo.out_color_space = JCS_RGB;
  }
  std::memset(info, 0, sizeof *info);
  info->format = MLSEG_IMAGE_JPEG;
  info->width = static_cast<int32_t>(cinfo.image_width);
  info->height = static_cast<int32_t>(cinfo.image_height);
  info->channels = channels;
  info->bit_depth = 8;
  info->interlaced = cinfo.progressive_mode ? 1 : 0;
  if (header_only) {
    jpeg_destroy_decompress(&cinfo);
    return 0;
  }

  jpeg_start_decompress(&cinfo);
  const int decoded_components = cmyk ? 4 : channels;
  if (cinfo.output_components != decoded_components || cinfo.output_width != cinfo.image_width ||
      cinfo.output_height != cinfo.image_height)
    jpeg_fail(&state, "unexpected JPEG output layout");
  const size_t row_bytes = static_cast<size_t>(cinfo.output_width) * channels;
  pixels = static_cast<uint8_t*>(std::malloc(row_bytes * cinfo.output_height));
  if (pixels == nullptr) jpeg_fail(&state, "out of memory for the pixel buffer");
  if (cmyk) {
    cmyk_row = static_cast<uint8_t*>(std::malloc(static_cast<size_t>(cinfo.output_width) * 4));
    if (cmyk_row == nullptr) jpeg_fail(&state, "out of memory for the pixel buffer");
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    uint8_t* destination = pixels + static_cast<size_t>(cinfo.output_scanline) * row_bytes;
    JSAMPROW row = cmyk ? cmyk_row : destination;
    if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) jpeg_fail(&state, "JPEG decoder made no progress");
    if (cmyk) {
      // Adobe writes inverted CMYK; R = C*K/255 etc. on the stored (inverted) values.
      for (JDIMENSION x = 0; x < cinfo.output_width; x++) {
        const unsigned k = cmyk_row[4 * x + 3];
        for (int c = 0; c < 3; c++) destination[3 * x + c] = static_cast<uint8_t>((cmyk_row[4 * x + c] * k + 127) / 255);
      }
    }
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  std::free(cmyk_row);
  *out_pixels = pixels;
  *out_bytes = static_cast<int64_t>(row_bytes * info->height);
  return 0;
}

struct JpegEncodeOutput {
  unsigned char* buffer;
  unsigned long size;
};

int jpeg_encode_c(const uint8_t* pixels, int width, int height, int channels, int quality, int progressive,
                  JpegEncodeOutput* output, ErrorText* text) {
  jpeg_compress_struct cinfo;
  JpegErrorState state;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&state.manager);
  state.manager.error_exit = jpeg_on_error;
  state.text = text;
  if (setjmp(state.jump)) {
    jpeg_destroy_compress(&cinfo);
    return 1;  // the caller frees output->buffer (written through a pointer, so it is in memory)
  }
  jpeg_create_compress(&cinfo);
  jpeg_mem_dest(&cinfo, &output->buffer, &output->size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = channels;
  cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  if (progressive) jpeg_simple_progression(&cinfo);
  jpeg_start_compress(&cinfo, TRUE);
  const size_t row_bytes = static_cast<size_t>(width) * channels;
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels) + cinfo.next_scanline * row_bytes;
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return 0;
}

#endif  // MLSEG_WITH_IMAGE_CODECS

void require_codecs() {
#if !defined(MLSEG_WITH_IMAGE_CODECS)
  throw std::runtime_error("the native bridge was built without libpng/libjpeg (install them and rebuild)");
#endif
}

void decode_any(const uint8_t* data, int64_t size, int32_t mode, int header_only, mlseg_image_info* info,
                void** pixels, int64_t* byte_count) {
  require_codecs();
  if (info == nullptr) throw std::invalid_argument("null info pointer");
  if (data == nullptr || size <= 0) throw std::invalid_argument("empty input: no image data");
  if (mode != MLSEG_DECODE_COLOR && mode != MLSEG_DECODE_RAW) throw std::invalid_argument("unknown decode mode");
#if defined(MLSEG_WITH_IMAGE_CODECS)
  ErrorText text;
  text.message[0] = '\0';
  uint8_t* buffer = nullptr;
  int64_t bytes = 0;
  int status = 1;
  switch (sniff(data, size)) {
    case MLSEG_IMAGE_PNG:
      status = png_decode_c(data, static_cast<size_t>(size), mode, header_only, info, &buffer, &bytes, &text);
      if (status != 0) throw std::runtime_error(std::string("invalid PNG: ") + text.message);
      break;
    case MLSEG_IMAGE_JPEG:
      status = jpeg_decode_c(data, static_cast<size_t>(size), header_only, info, &buffer, &bytes, &text);
      if (status != 0) throw std::runtime_error(std::string("invalid JPEG: ") + text.message);
      break;
    default:
      throw std::runtime_error("unknown image format: neither a PNG nor a JPEG signature");
  }
  if (!header_only) {
    *pixels = buffer;
    *byte_count = bytes;
  }
#else
  (void)pixels;
  (void)byte_count;
  (void)header_only;
#endif
}

struct FreeBuffer {
  void operator()(void* buffer) const { std::free(buffer); }
};

// One pass from interleaved samples to scaled planar floats, with the channel conversion.
template <typename Sample>
void to_planar(const Sample* source, int source_channels, int64_t pixels, int channels, float scale, float* destination) {
  const int color = (source_channels == 2 || source_channels == 4) ? source_channels - 1 : source_channels;
  float* plane0 = destination;
  float* plane1 = destination + pixels;
  float* plane2 = destination + 2 * pixels;
  for (int64_t p = 0; p < pixels; p++) {
    const Sample* px = source + p * source_channels;
    if (channels == 1) {
      plane0[p] = color == 1 ? px[0] * scale : (0.299f * px[0] + 0.587f * px[1] + 0.114f * px[2]) * scale;
    } else if (color == 1) {
      const float v = px[0] * scale;
      plane0[p] = v;
      plane1[p] = v;
      plane2[p] = v;
    } else {
      plane0[p] = px[0] * scale;
      plane1[p] = px[1] * scale;
      plane2[p] = px[2] * scale;
    }
  }
}

}  // namespace

MLSEG_API int32_t mlseg_image_decode_chw(const uint8_t* data, int64_t size, int32_t channels, float* destination,
                                         int64_t capacity, mlseg_image_info* info) {
  return mlseg::guarded([&] {
    if (channels != 1 && channels != 3) throw std::invalid_argument("planar decoding gives 1 or 3 channels");
    if (destination == nullptr) throw std::invalid_argument("null destination");
    void* raw = nullptr;
    int64_t bytes = 0;
    decode_any(data, size, MLSEG_DECODE_COLOR, 0, info, &raw, &bytes);
    std::unique_ptr<void, FreeBuffer> buffer(raw);
    const int64_t pixels = static_cast<int64_t>(info->width) * info->height;
    if (capacity != pixels * channels)
      throw std::invalid_argument("destination size does not match the decoded image (" + std::to_string(info->width) +
                                  "x" + std::to_string(info->height) + ")");
    if (info->bit_depth == 16)
      to_planar(static_cast<const uint16_t*>(raw), info->channels, pixels, channels, 1.0f / 65535.0f, destination);
    else
      to_planar(static_cast<const uint8_t*>(raw), info->channels, pixels, channels, 1.0f / 255.0f, destination);
  });
}

MLSEG_API int32_t mlseg_image_decode(const uint8_t* data, int64_t size, int32_t mode, mlseg_image_info* info,
                                     void** pixels, int64_t* byte_count) {
  return mlseg::guarded([&] {
    if (pixels == nullptr || byte_count == nullptr) throw std::invalid_argument("null output pointer");
    *pixels = nullptr;
    *byte_count = 0;
    decode_any(data, size, mode, 0, info, pixels, byte_count);
  });
}

MLSEG_API int32_t mlseg_image_probe(const uint8_t* data, int64_t size, mlseg_image_info* info) {
  return mlseg::guarded([&] { decode_any(data, size, MLSEG_DECODE_COLOR, 1, info, nullptr, nullptr); });
}

MLSEG_API void mlseg_image_free(void* buffer) { std::free(buffer); }

MLSEG_API int32_t mlseg_png_encode(const void* pixels, int32_t width, int32_t height, int32_t channels,
                                   int32_t bit_depth, const uint8_t* palette_rgb, int32_t palette_size,
                                   int32_t compression_level, void** out, int64_t* out_size) {
  return mlseg::guarded([&] {
    require_codecs();
    if (pixels == nullptr || out == nullptr || out_size == nullptr) throw std::invalid_argument("null pointer");
    if (width <= 0 || height <= 0 || static_cast<double>(width) * height > static_cast<double>(MLSEG_IMAGE_MAX_PIXELS))
      throw std::invalid_argument("image size out of range");
    if (palette_rgb != nullptr) {
      if (channels != 1 || bit_depth != 8) throw std::invalid_argument("a palette PNG has one 8-bit channel");
      if (palette_size < 1 || palette_size > 256) throw std::invalid_argument("a palette has 1..256 entries");
    } else if (channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
      throw std::invalid_argument("PNG pixels need 1..4 channels of 8 or 16 bits");
    }
    if (compression_level < -1 || compression_level > 9) throw std::invalid_argument("compression level is -1 or 0..9");
    *out = nullptr;
    *out_size = 0;
#if defined(MLSEG_WITH_IMAGE_CODECS)
    ErrorText text;
    text.message[0] = '\0';
    PngWriteSink sink = {nullptr, 0, 0};
    if (png_encode_c(static_cast<const uint8_t*>(pixels), width, height, channels, bit_depth, palette_rgb,
                     palette_size, compression_level, &sink, &text) != 0) {
      std::free(sink.data);
      throw std::runtime_error(std::string("PNG encoding failed: ") + text.message);
    }
    *out = sink.data;
    *out_size = static_cast<int64_t>(sink.size);
#endif
  });
}

MLSEG_API int32_t mlseg_jpeg_encode(const void* pixels, int32_t width, int32_t height, int32_t channels,
                                    int32_t quality, int32_t progressive, void** out, int64_t* out_size) {
  return mlseg::guarded([&] {
    require_codecs();
    if (pixels == nullptr || out == nullptr || out_size == nullptr) throw std::invalid_argument("null pointer");
    if (width <= 0 || height <= 0 || width > 65500 || height > 65500) throw std::invalid_argument("JPEG size out of range");
    if (channels != 1 && channels != 3) throw std::invalid_argument("JPEG encoding takes 1 (gray) or 3 (RGB) channels");
    if (quality < 1 || quality > 100) throw std::invalid_argument("JPEG quality is 1..100");
    *out = nullptr;
    *out_size = 0;
#if defined(MLSEG_WITH_IMAGE_CODECS)
    ErrorText text;
    text.message[0] = '\0';
    JpegEncodeOutput output = {nullptr, 0};
    if (jpeg_encode_c(static_cast<const uint8_t*>(pixels), width, height, channels, quality, progressive, &output,
                      &text) != 0) {
      std::free(output.buffer);
      throw std::runtime_error(std::string("JPEG encoding failed: ") + text.message);
    }
    *out = output.buffer;
    *out_size = static_cast<int64_t>(output.size);
#else
    (void)progressive;
#endif
  });
}
