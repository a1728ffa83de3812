// C ABI of the bridge's image codecs (PNG through libpng, JPEG through libjpeg-turbo).
// Decoding works on a memory buffer so that the managed side reads the file and can name it in errors.
// Every function returns 0 on success and non-zero on failure, with the reason in mlseg_last_error().
#pragma once
#include <stdint.h>

#include "mlseg_bridge.h"

enum mlseg_image_format {
  MLSEG_IMAGE_UNKNOWN = 0,
  MLSEG_IMAGE_PNG = 1,
  MLSEG_IMAGE_JPEG = 2,
};

enum mlseg_decode_mode {
  // Colour as stored: gray, gray+alpha, RGB or RGBA; palettes expanded to RGB (RGBA with transparency);
  // gray below 8 bits scaled to 0..255; 16-bit samples kept as native-endian uint16.
  MLSEG_DECODE_COLOR = 0,
  // Raw sample values for masks: palette images give their palette INDICES (one channel) and gray below
  // 8 bits gives the unscaled values (0..2^bits-1). Everything else as MLSEG_DECODE_COLOR.
  MLSEG_DECODE_RAW = 1,
};

typedef struct {
  int32_t format;        // mlseg_image_format
  int32_t width;
  int32_t height;
  int32_t channels;      // 1..4 of the decoded pixels
  int32_t bit_depth;     // 8 or 16 of the decoded pixels
  int32_t is_palette;    // 1 when the file is a palette (indexed colour) PNG
  int32_t palette_size;  // entries in palette_rgb
  int32_t interlaced;    // 1 for interlaced PNG / progressive JPEG
  uint8_t palette_rgb[768];
} mlseg_image_info;

// Refused before allocating: images above this many pixels.
#define MLSEG_IMAGE_MAX_PIXELS (1LL << 28)

// Decodes a PNG or JPEG held in data[0..size). On success *pixels is a malloc'ed interleaved (HWC)
// buffer of *byte_count bytes that the caller releases with mlseg_image_free.
MLSEG_API int32_t mlseg_image_decode(const uint8_t* data, int64_t size, int32_t mode, mlseg_image_info* info,
                                     void** pixels, int64_t* byte_count);

// Decodes in COLOR mode straight into planar float32 (C x H x W) samples scaled to [0, 1], converted to
// `channels` channels (1: luminance 0.299 R + 0.587 G + 0.114 B; 3: gray replicated; alpha dropped).
// destination holds `capacity` floats, which must equal channels * width * height (query with probe).
MLSEG_API int32_t mlseg_image_decode_chw(const uint8_t* data, int64_t size, int32_t channels, float* destination,
                                         int64_t capacity, mlseg_image_info* info);

// Reads only the header (format, size, channels as mlseg_image_decode would give them in COLOR mode).
MLSEG_API int32_t mlseg_image_probe(const uint8_t* data, int64_t size, mlseg_image_info* info);

// Releases a buffer returned by this API.
MLSEG_API void mlseg_image_free(void* buffer);

// Encodes interleaved pixels as PNG. channels 1..4 with bit_depth 8 or 16 (16-bit samples native-endian),
// or a palette image: channels 1, bit_depth 8, palette_rgb with palette_size (1..256) entries.
// compression_level -1 (default) or 0..9. *out (malloc'ed, *out_size bytes) is freed with mlseg_image_free.
MLSEG_API int32_t mlseg_png_encode(const void* pixels, int32_t width, int32_t height, int32_t channels,
                                   int32_t bit_depth, const uint8_t* palette_rgb, int32_t palette_size,
                                   int32_t compression_level, void** out, int64_t* out_size);

// Encodes 8-bit gray (channels 1) or RGB (channels 3) pixels as JPEG (baseline or progressive).
MLSEG_API int32_t mlseg_jpeg_encode(const void* pixels, int32_t width, int32_t height, int32_t channels,
                                    int32_t quality, int32_t progressive, void** out, int64_t* out_size);
