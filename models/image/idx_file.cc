#include "idx_file.h"

#include <zlib.h>

#include <cstdint>
#include <vector>

namespace vitrine::image {
namespace {

Status bad(const std::string& path, const std::string& what) {
  return Status(StatusCode::kBAD_INPUT, path + ": " + what);
}

// The whole decompressed file (gzread also reads an uncompressed file as is).
Result<std::vector<uint8_t>> read_gzip(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return bad(path, "cannot open");
  std::vector<uint8_t> bytes;
  std::vector<uint8_t> chunk(1 << 16);
  for (;;) {
    const int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      gzclose(file);
      return bad(path, "cannot decompress (" + message + ")");
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
  }
  gzclose(file);
  return bytes;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// Checks the IDX header (unsigned bytes, `rank` dimensions) and returns the dimensions.
Result<std::vector<uint32_t>> idx_dims(const std::string& path, const std::vector<uint8_t>& bytes, uint8_t rank) {
  if (bytes.size() < 4u + 4u * rank) return bad(path, "too short for an IDX header");
  if (bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] != rank)
    return bad(path, "not an unsigned-byte IDX file of rank " + std::to_string(rank));
  std::vector<uint32_t> dims;
  uint64_t total = 1;
  for (uint8_t i = 0; i < rank; ++i) {
    dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * i));
    total *= dims.back();
  }
  if (bytes.size() - 4u - 4u * rank != total)
    return bad(path, "holds " + std::to_string(bytes.size() - 4u - 4u * rank) + " data bytes, the header says " +
                         std::to_string(total));
  return dims;
}

}  // namespace

Result<ImageSet> read_idx_split(const std::string& dir, const std::string& split) {
  const std::string images_path = dir + "/" + split + "-images-idx3-ubyte.gz";
  const std::string labels_path = dir + "/" + split + "-labels-idx1-ubyte.gz";
  auto images = read_gzip(images_path);
  if (!images.ok()) return images.status();
  auto labels = read_gzip(labels_path);
  if (!labels.ok()) return labels.status();
  auto image_dims = idx_dims(images_path, images.value(), 3);
  if (!image_dims.ok()) return image_dims.status();
  auto label_dims = idx_dims(labels_path, labels.value(), 1);
  if (!label_dims.ok()) return label_dims.status();
  const std::vector<uint32_t>& d = image_dims.value();
  if (d[1] != d[2]) return bad(images_path, "images are not square");
  if (label_dims.value()[0] != d[0])
    return bad(labels_path, std::to_string(label_dims.value()[0]) + " labels for " + std::to_string(d[0]) + " images");
  ImageSet set;
  set.side = d[1];
  set.count = d[0];
  set.pixels.assign(images.value().begin() + 16, images.value().end());
  set.labels.assign(labels.value().begin() + 8, labels.value().end());
  return set;
}

}  // namespace vitrine::image
